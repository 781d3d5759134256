"""Monitoring data: what members report on the plans' indicators and activities.

No public source holds CORETT's monitoring actuals. The workbench therefore ships an **illustrative**
data set (``data/monitoring/illustrative_actuals.csv``, made by :func:`generate_illustrative`, seeded
so it is reproducible) and collects real data with Excel workbooks (:mod:`corett_lib.apps.workbook`);
ingested workbooks are merged into ``data/monitoring/collected.csv``.

One row is one plan item (an indicator, an activity or an objective) for one member and one year:

* an **indicator** row carries ``value`` (the year's actual: campaigns run, people trained, ...);
* an **activity** row carries ``deadline``, ``completed``, ``on_time`` and ``cause_of_delay``;
* an **objective** row carries only ``evidence_available`` (Chart 3 of the Resource Mobilization
  Strategy: is the evidence the objective expects available?);
* every row carries ``evidence_available`` (``yes`` / ``no`` / empty) for its own evidence.

``on_time`` is derived from the dates and checked: ``yes`` when completed on or before the deadline,
``no`` when completed after it or not completed by the end of the year the deadline falls in, empty
when the activity is still pending. :func:`load_monitoring` reads both files; a member-year present in
``collected.csv`` replaces the illustrative rows of that member-year, so real and invented figures are
never mixed within one member-year, and the ``illustrative`` column says which is which.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.core import atomic, config, paths
from corett_lib.core.problems import Problem
from corett_lib.core.tables import finish
from corett_lib.raw.csvio import error, parse_float, parse_iso_date, read_csv_rows
from corett_lib.raw.plans import read_plan_items

if TYPE_CHECKING:
    import pandas as pd

TABLE = "monitoring"

#: The word the illustrative file carries on every row (column ``illustrative``).
ILLUSTRATIVE = "ILLUSTRATIVE"

ILLUSTRATIVE_FILE = "illustrative_actuals.csv"
COLLECTED_FILE = "collected.csv"

#: Columns of the monitoring files and of :func:`load_monitoring`'s table, in order.
COLUMNS: tuple[str, ...] = (
    "illustrative",  # ILLUSTRATIVE for invented rows, empty for collected ones
    "plan_item_id",  # an indicator, activity or objective id of raw/plan_items.csv
    "iso3",  # a member (never CORETT: regional figures are sums over members)
    "year",  # 2019-2030
    "value",  # indicator rows: the year's actual (a number >= 0)
    "evidence_available",  # yes | no | empty
    "deadline",  # activity rows: ISO date
    "completed",  # activity rows: ISO date or empty
    "on_time",  # activity rows: yes | no | empty (pending); derived from the dates
    "cause_of_delay",  # activity rows that are late: why (free text, stored as text)
    "notes",  # free text, stored as text
    "source",  # "illustrative (seed N)" or "workbook <file> sha256:<12 hex>"
)

KEY: tuple[str, ...] = ("plan_item_id", "iso3", "year")

#: Years a monitoring row may concern (the strategic plan runs 2019-2027; a little margin).
YEAR_RANGE: tuple[int, int] = (2019, 2030)

#: Plans whose items are monitored (the communication strategy has no indicators).
MONITORED_PLANS: tuple[str, ...] = ("prevention", "resource_mobilization")

YES_NO: tuple[str, ...] = ("yes", "no")


def kind_of(plan_item_id: str) -> str:
    """Return ``indicator``, ``activity``, ``objective`` or ``other`` from a plan item id.

    Examples
    --------
    >>> kind_of("PREV.A1.O1.IND1"), kind_of("RM.A4.O6.ACT2"), kind_of("RM.A3.O5"), kind_of("RM")
    ('indicator', 'activity', 'objective', 'other')
    """
    last = plan_item_id.rsplit(".", 1)[-1]
    if last.startswith("IND"):
        return "indicator"
    if last.startswith("ACT"):
        return "activity"
    if re.fullmatch(r"O\d+", last):
        return "objective"
    return "other"


def on_time_of(deadline: str, completed: str, year: int | str) -> str:
    """Return ``yes``/``no``/``""`` for an activity of reporting ``year`` from its ISO dates.

    ``yes``: completed on or before the deadline. ``no``: completed after it, or not completed and
    the deadline falls within the reporting year or earlier. Empty: no deadline, or still pending
    (deadline after the reporting year).

    Examples
    --------
    >>> on_time_of("2021-06-30", "2021-06-01", 2021), on_time_of("2021-06-30", "2021-09-01", 2021)
    ('yes', 'no')
    >>> on_time_of("2021-06-30", "", 2021), on_time_of("2022-03-01", "", 2021)
    ('no', '')
    """
    if not deadline:
        return ""
    if completed:
        return "yes" if completed <= deadline else "no"
    return "no" if deadline <= f"{year}-12-31" else ""


def monitored_items(plan_items: pd.DataFrame) -> pd.DataFrame:
    """Return the plan items a member reports on.

    Indicators, activities and objectives of the monitored plans (:data:`MONITORED_PLANS`), in plan
    order, with their axis id.

    Returns
    -------
    pandas.DataFrame
        ``id, plan, kind, axis_id, objective_id, text_en, unit, direction, target_value``.
    """
    import pandas as pd

    by_parent = dict(zip(plan_items["id"], plan_items["parent_id"], strict=True))
    level = dict(zip(plan_items["id"], plan_items["level"], strict=True))

    def up(item: str, wanted: str) -> str | None:
        seen = 0
        node: Any = item
        while isinstance(node, str) and node and seen < 20:
            if level.get(node) == wanted:
                return node
            node = by_parent.get(node)
            seen += 1
        return None

    rows = []
    for _, it in plan_items.iterrows():
        if it["plan"] not in MONITORED_PLANS:
            continue
        kind = kind_of(str(it["id"]))
        if kind == "other" or it["level"] not in ("indicator", "activity", "objective"):
            continue
        rows.append(
            {
                "id": it["id"],
                "plan": it["plan"],
                "kind": kind,
                "axis_id": up(it["id"], "axis"),
                "objective_id": up(it["id"], "objective"),
                "text_en": it["text_en"],
                "unit": it.get("unit", ""),
                "direction": it.get("direction", ""),
                "target_value": it.get("target_value", ""),
            }
        )
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "id",
            "plan",
            "kind",
            "axis_id",
            "objective_id",
            "text_en",
            "unit",
            "direction",
            "target_value",
        ],
    )


def _csv_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def write_table(df: pd.DataFrame, path: Path) -> bool:
    """Write a monitoring table as UTF-8 CSV, aside then renamed into place.

    Text is stored verbatim (a cause of delay that starts with ``=`` stays that text: the CSV is
    data, read back as text; :func:`export_monitoring` neutralizes it for spreadsheets).

    Returns
    -------
    bool
        False when the file already held exactly this content (nothing written).
    """
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for rec in df[list(COLUMNS)].itertuples(index=False, name=None):
        w.writerow([_csv_value(v) for v in rec])
    text = buf.getvalue()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    atomic.write_text(path, text)
    return True


def _problem(
    rel: str, line: int, column: str | None, check: str, message: str, why: str, sample: Any = ""
) -> Problem:
    return error(rel, check, message, (line,), column, why, (sample,), table=TABLE)


def validate_rows(
    df: pd.DataFrame,
    *,
    rel: str,
    known_items: Iterable[str],
    members: Iterable[str],
    first_line: int = 2,
) -> list[Problem]:
    """Check a monitoring table row by row; return every problem (rows are CSV lines).

    Checks: ``plan_item_id`` is a monitored plan item, ``iso3`` a member, ``year`` in
    :data:`YEAR_RANGE`, ``value`` a number >= 0 (indicator rows only), ``evidence_available`` and
    ``on_time`` yes/no/empty, dates ISO, ``on_time`` agreeing with the dates, the key unique. A late
    activity without a cause is a warning (Chart 4 asks for the causes of delay).
    """
    known, member_set = set(known_items), set(members)
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, rec in enumerate(df.to_dict("records")):
        line = first_line + i
        item, iso3, year = (str(rec.get(c, "")).strip() for c in KEY)
        if item not in known:
            problems.append(
                _problem(
                    rel,
                    line,
                    "plan_item_id",
                    "plan_item_known",
                    f"{item!r} is not an indicator, activity or objective of the monitored plans",
                    "monitoring data answers the plan's own items",
                    item,
                )
            )
        if iso3 not in member_set:
            problems.append(
                _problem(
                    rel,
                    line,
                    "iso3",
                    "member_known",
                    f"{iso3!r} is not a member",
                    "members report; regional figures are sums over members",
                    iso3,
                )
            )
        if not (year.isdigit() and YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]):
            problems.append(
                _problem(
                    rel,
                    line,
                    "year",
                    "year_in_range",
                    f"year {year!r} is not between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}",
                    "the strategic plan runs 2019-2027",
                    year,
                )
            )
        value = str(rec.get("value", "")).strip()
        if value:
            number = parse_float(value)
            if number is None or not (number >= 0):
                problems.append(
                    _problem(
                        rel,
                        line,
                        "value",
                        "value_non_negative_number",
                        f"value {value!r} is not a number >= 0",
                        "actuals are counts or amounts",
                        value,
                    )
                )
            elif kind_of(item) != "indicator":
                problems.append(
                    _problem(
                        rel,
                        line,
                        "value",
                        "value_on_indicator",
                        f"{item} is not an indicator: a value belongs on indicator rows",
                        "activities report dates and objectives report evidence",
                        value,
                    )
                )
        for column in ("evidence_available", "on_time"):
            v = str(rec.get(column, "")).strip()
            if v not in ("yes", "no", ""):
                problems.append(
                    _problem(
                        rel,
                        line,
                        column,
                        "yes_no",
                        f"{column} {v!r} is not yes, no or empty",
                        "availability and punctuality are yes/no answers",
                        v,
                    )
                )
        dates_ok = True
        for column in ("deadline", "completed"):
            v = str(rec.get(column, "")).strip()
            if v and parse_iso_date(v) is None:
                dates_ok = False
                problems.append(
                    _problem(
                        rel,
                        line,
                        column,
                        "date_iso",
                        f"{column} {v!r} is not a date YYYY-MM-DD",
                        "deadlines and completion dates are compared",
                        v,
                    )
                )
        deadline = str(rec.get("deadline", "")).strip()
        completed = str(rec.get("completed", "")).strip()
        on_time = str(rec.get("on_time", "")).strip()
        expected = on_time_of(deadline, completed, year) if dates_ok else on_time
        if deadline and on_time != expected:
            problems.append(
                _problem(
                    rel,
                    line,
                    "on_time",
                    "on_time_matches_dates",
                    f"on_time is {on_time!r} but completed {completed or '(not yet)'} vs deadline "
                    f"{deadline} gives {expected!r}",
                    "punctuality is derived from the dates",
                    on_time,
                )
            )
        if on_time == "no" and not str(rec.get("cause_of_delay", "")).strip():
            problems.append(
                Problem(
                    "warning",
                    "cause_of_delay_present",
                    rel,
                    f"{item} ({iso3} {year}) is late and no cause of delay is recorded",
                    rows=(line,),
                    column="cause_of_delay",
                    why="Chart 4 asks for the causes of delay",
                    table=TABLE,
                )
            )
        key = (item, iso3, year)
        if key in seen:
            problems.append(
                _problem(
                    rel,
                    line,
                    "plan_item_id",
                    "key_unique",
                    f"{item} {iso3} {year} is also on line {seen[key]}",
                    "one row per item, member and year",
                    item,
                )
            )
        else:
            seen[key] = line
    return problems


def read_monitoring_file(
    path: Path, rel: str, *, known_items: Iterable[str], members: Iterable[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one monitoring CSV as text, validate it, and return ``(table, problems)``.

    Rows with an error are left out. ``value`` becomes a float (NaN when empty), ``year`` an int;
    every other column stays text, never evaluated.
    """
    import pandas as pd

    _header, rows = read_csv_rows(path, rel, COLUMNS, table=TABLE)
    raw = pd.DataFrame.from_records(
        [{c: r.fields.get(c, "") or "" for c in COLUMNS} for r in rows], columns=list(COLUMNS)
    )
    lines = [r.line for r in rows]
    problems = validate_rows(raw, rel=rel, known_items=known_items, members=members)
    # validate_rows numbers rows from line 2; map to the real CSV lines (blank lines skipped)
    problems = [
        Problem(
            p.severity,
            p.check,
            p.file,
            p.message,
            rows=tuple(lines[r - 2] for r in p.rows),
            column=p.column,
            why=p.why,
            sample=p.sample,
            table=p.table,
        )
        for p in problems
    ]
    bad = {r for p in problems if p.severity == "error" for r in p.rows}
    keep = [i for i, line in enumerate(lines) if line not in bad]
    df = raw.iloc[keep].reset_index(drop=True)
    df["source_row"] = [lines[i] for i in keep]
    df["source_file"] = rel
    return _typed(df), problems


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = df.copy()
    out["year"] = out["year"].astype(int)
    out["value"] = pd.to_numeric(out["value"].replace("", None), errors="coerce").astype(float)
    for c in COLUMNS:
        if c not in ("year", "value"):
            out[c] = out[c].fillna("").astype(str)
    return out


def load_monitoring(
    data: str | os.PathLike[str] | None = None,
    *,
    illustrative: bool = True,
    plan_items: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Return the monitoring data (illustrative and collected) and every problem found.

    Parameters
    ----------
    data
        Data folder (default: ``$CORETT_DATA`` or the shipped ``data/``).
    illustrative
        Include the illustrative rows (for member-years nobody has reported yet).
    plan_items
        The plan items (default: read from the data folder).

    Returns
    -------
    table, problems
        Columns :data:`COLUMNS` plus ``kind`` (indicator/activity/objective), ``source_file``,
        ``source_row`` and ``warnings`` (the ids of the warnings that concern the row, ``; ``-joined);
        keyed by :data:`KEY`, sorted. A member-year in ``collected.csv`` replaces the
        illustrative rows of that member-year. Missing files give an empty table, no problem.

    Examples
    --------
    >>> m, problems = load_monitoring()
    >>> sorted(set(m["illustrative"])), [p for p in problems if p.severity == "error"]
    (['ILLUSTRATIVE'], [])
    """
    import pandas as pd

    if plan_items is None:
        plan_items, _ = read_plan_items(paths.raw_path("plan_items", data), "raw/plan_items.csv")
    known = monitored_items(plan_items)["id"]
    members = config.members()
    folder = paths.monitoring_dir(data)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    names = [COLLECTED_FILE] + ([ILLUSTRATIVE_FILE] if illustrative else [])
    for name in names:
        path = folder / name
        if path.exists():
            df, found = read_monitoring_file(
                path, f"monitoring/{name}", known_items=known, members=members
            )
            problems += found
            frames[name] = df
    if ILLUSTRATIVE_FILE in frames:
        ill = frames[ILLUSTRATIVE_FILE]
        not_marked = ill[ill["illustrative"] != ILLUSTRATIVE]
        if len(not_marked):
            problems.append(
                Problem(
                    "error",
                    "illustrative_labelled",
                    f"monitoring/{ILLUSTRATIVE_FILE}",
                    f"{len(not_marked)} rows are not labelled {ILLUSTRATIVE}",
                    rows=tuple(int(x) for x in not_marked["source_row"][:10]),
                    column="illustrative",
                    why="invented figures must say so on every row",
                    table=TABLE,
                )
            )
            frames[ILLUSTRATIVE_FILE] = ill[ill["illustrative"] == ILLUSTRATIVE]
    if COLLECTED_FILE in frames and ILLUSTRATIVE_FILE in frames:
        reported = set(
            zip(frames[COLLECTED_FILE]["iso3"], frames[COLLECTED_FILE]["year"], strict=True)
        )
        ill = frames[ILLUSTRATIVE_FILE]
        mask = [(a, b) not in reported for a, b in zip(ill["iso3"], ill["year"], strict=True)]
        frames[ILLUSTRATIVE_FILE] = ill[mask]
    columns = [*COLUMNS, "kind", "source_file", "source_row", "warnings"]
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        empty["year"] = empty["year"].astype(int)
        empty["value"] = empty["value"].astype(float)
        return empty, problems
    out = pd.concat(list(frames.values()), ignore_index=True)
    out["kind"] = [kind_of(i) for i in out["plan_item_id"]]
    warned: dict[tuple[str, int], list[str]] = {}
    for p in problems:
        if p.severity == "warning" and p.table == TABLE:
            for r in p.rows:
                warned.setdefault((p.file, r), []).append(p.check)
    out["warnings"] = [
        "; ".join(warned.get((f, int(r)), []))
        for f, r in zip(out["source_file"], out["source_row"], strict=True)
    ]
    return finish(out[columns], list(KEY), name=TABLE), problems


def merge_rows(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Return ``existing`` with every member-year of ``new`` replaced by ``new``'s rows.

    A returned workbook is the member's whole report for its year, so its rows replace (not add to)
    what was held for that member-year; merging the same rows twice gives the same table.
    """
    import pandas as pd

    years = set(zip(new["iso3"].astype(str), new["year"].astype(int), strict=True))
    keep = pd.Series(
        [
            (str(a), int(b)) not in years
            for a, b in zip(existing["iso3"], existing["year"], strict=True)
        ],
        index=existing.index,
        dtype=bool,
    )
    out = pd.concat(
        [existing.loc[keep, list(COLUMNS)], new[list(COLUMNS)]], ignore_index=True
    ).astype({c: object for c in COLUMNS if c != "year"})
    out["year"] = out["year"].astype(int)
    return finish(out, list(KEY), name=TABLE)


def read_collected(data: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return ``collected.csv`` as text columns (empty table when absent), for merging."""
    import pandas as pd

    path = paths.monitoring_dir(data) / COLLECTED_FILE
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return df[list(COLUMNS)]
