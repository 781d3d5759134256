"""The three CORETT strategies' plans as one table of items with stable ids.

``raw/plan_items.csv`` transcribes, one row per item, the operative plans of

* the *Regional Strategy for the Prevention of Trafficking in Persons and Smuggling of Migrants*
  (``PREV``; seed ``004``, VII.c matrix of the operative plan, four axes, and VIII monitoring);
* the *Regional Strategy on Resources Mobilization* (``RM``; seed ``001``, 5.2 plan of action by
  strategic axis);
* the *Strategy on Visibility and Communication* (``COM``; seed ``000``, eight thematic axes).

Ids are readable paths: ``PREV`` (plan), ``PREV.A1`` (axis), ``PREV.A1.SO`` (the axis's specific
objective), ``PREV.A1.O1`` (operational objective), ``PREV.A1.O1.ACT1`` / ``.G1`` / ``.IND1``
(activity, goal, indicator of that objective); ``COM.A3.T1`` (tactic), ``COM.A3.T1.OUT1`` (outcome),
``COM.A2.PUB1`` (a target public of the plan of content) with its ``.MSG1`` (key message) and ``.PR1``
(product); ``PREV.MF.T1`` is the prevention strategy's section VIII (monitoring), outside its axes.
Resource-mobilization objectives keep the document's own numbers (``RM.A4.O6``: objective 6), so
monitoring data can quote them. Activities, goals and indicators hang from their objective: the
documents number goals after activities (``1.1.1``) but the numbering does not reliably say which
activity a goal or an indicator belongs to (all goals of RM objective 6 are ``6.1.x``), so the
document's number is kept in ``doc_number`` rather than turned into a parent.

Columns (:data:`PLAN_COLUMNS`): ``id, plan, level, parent_id, doc_number, text_en, text_es,
responsible, timeframe, unit, direction, target_value, target_text, target_year, sdg_related,
source_ref, notes``. ``text_en`` is verbatim, repaired only for extraction breaks (each repair is in
``notes``). ``text_es`` holds a Spanish rendering of short labels (plan titles, axis names); it is
the transcriber's rendering, not the Spanish original's wording. Every indicator has a ``unit`` and a
``direction`` (``increase``, ``decrease`` or ``ambiguous``: more referrals or complaints can mean
better detection rather than more crime). ``target_value`` is numeric where the document states a
number (``"2 campaigns"`` -> 2).

:func:`read_plan_items` returns the table and every problem found (file, CSV line, column, check,
why). A row with an error is left out of the table, and so is every item below it. :func:`plan_tree`
and :func:`plan_indicators` shape the table for reports.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from corett_lib.core.problems import Problem
from corett_lib.core.tables import finish
from corett_lib.raw.csvio import CsvRow, error, parse_float, read_csv_rows, stripped_records

if TYPE_CHECKING:
    import pandas as pd

TABLE = "plan_items"

#: Columns of ``plan_items.csv`` and of the table returned, in order.
PLAN_COLUMNS: tuple[str, ...] = (
    "id",
    "plan",
    "level",
    "parent_id",
    "doc_number",
    "text_en",
    "text_es",
    "responsible",
    "timeframe",
    "unit",
    "direction",
    "target_value",
    "target_text",
    "target_year",
    "sdg_related",
    "source_ref",
    "notes",
)

#: Columns the file must have; the others are added empty when absent.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "plan",
    "level",
    "parent_id",
    "text_en",
    "unit",
    "direction",
    "target_value",
    "target_text",
    "target_year",
    "source_ref",
)

#: Plan -> id of its root item.
PLANS: dict[str, str] = {
    "prevention": "PREV",
    "resource_mobilization": "RM",
    "communication": "COM",
}

#: Levels of a plan item. ``general_objective`` and ``specific_objective`` are the strategies'
#: stated objectives; ``objective`` is an operational objective of an axis's matrix; ``tactic`` and
#: ``outcome`` come from the tables of the communication strategy (and the prevention strategy's
#: section VIII); ``audience``, ``message`` and ``product`` from the communication strategy's plan of
#: content of the key messages (axis 2).
LEVELS: tuple[str, ...] = (
    "plan",
    "general_objective",
    "axis",
    "specific_objective",
    "objective",
    "activity",
    "goal",
    "indicator",
    "tactic",
    "outcome",
    "audience",
    "message",
    "product",
)

#: Desired direction of an indicator.
DIRECTIONS: tuple[str, ...] = ("increase", "decrease", "ambiguous")

#: A plan item id: a dotted path of upper-case codes, each but the first optionally numbered.
ITEM_ID = re.compile(r"^[A-Z]+(?:\.[A-Z]+[0-9]*)*$")
_YEAR = re.compile(r"^(19|20)\d\d$")

_problem = partial(error, table=TABLE)


def _row_problems(row: CsvRow, rel: str) -> list[Problem]:
    """Return the problems of one row taken alone (values, not references)."""
    f, line = row.fields, row.line
    out: list[Problem] = []

    def bad(check: str, column: str, message: str, why: str) -> None:
        out.append(_problem(rel, check, message, [line], column, why, [f.get(column, "")]))

    item_id = f["id"].strip()
    if not item_id:
        bad("id_present", "id", "the item has no id", "monitoring data refers to plan items by id")
    elif not ITEM_ID.match(item_id):
        bad(
            "id_format",
            "id",
            f"id {item_id!r} is not a dotted path of upper-case codes (e.g. PREV.A1.O1.IND1)",
            "ids are stable, readable keys that encode the item's place in the plan",
        )
    plan, level = f["plan"].strip(), f["level"].strip()
    if plan not in PLANS:
        bad(
            "plan_known",
            "plan",
            f"plan {plan!r} is not one of {', '.join(PLANS)}",
            "each item belongs to one of the three strategies",
        )
    elif item_id and ITEM_ID.match(item_id) and item_id.split(".")[0] != PLANS[plan]:
        bad(
            "id_prefix",
            "id",
            f"id {item_id!r} does not start with {PLANS[plan]!r}, the code of plan {plan!r}",
            "an id names its plan first, so ids stay unique across plans",
        )
    if level not in LEVELS:
        bad(
            "level_known",
            "level",
            f"level {level!r} is not one of {', '.join(LEVELS)}",
            "reports group items by level",
        )
    parent = f["parent_id"].strip()
    if level == "plan" and parent:
        bad(
            "root_has_no_parent", "parent_id", "a plan item has a parent", "a plan is a tree's root"
        )
    if level in LEVELS and level != "plan" and not parent:
        bad(
            "parent_present",
            "parent_id",
            f"the {level} has no parent_id",
            "every item below a plan hangs from another item",
        )
    if not f["text_en"].strip():
        bad("text_present", "text_en", "the item has no text", "an item is shown by its text")
    direction = f["direction"].strip()
    if direction and direction not in DIRECTIONS:
        bad(
            "direction_known",
            "direction",
            f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}",
            "the direction says whether a rise is progress",
        )
    if level == "indicator":
        for column in ("unit", "direction"):
            if not f[column].strip():
                bad(
                    "indicator_has_unit_and_direction",
                    column,
                    f"the indicator has no {column}",
                    "an indicator cannot be read or charted without its unit and desired direction",
                )
    target = f["target_value"].strip()
    if target and parse_float(target) is None:
        bad(
            "target_numeric",
            "target_value",
            f"target_value {target!r} is not a number (keep the words in target_text)",
            "targets are compared with measured values",
        )
    year = f["target_year"].strip()
    if year and not _YEAR.match(year):
        bad(
            "target_year_format",
            "target_year",
            f"target_year {year!r} is not a four-digit year",
            "a target year is compared with the reporting year",
        )
    return out


def read_plan_items(path: Path, rel: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``plan_items.csv`` into the plan items table.

    Parameters
    ----------
    path
        The CSV file.
    rel
        Its name relative to the data folder, used in problems.

    Returns
    -------
    items, problems
        One row per item, columns :data:`PLAN_COLUMNS` plus ``source_row`` (the CSV line, header =
        line 1); ``target_value`` is float, ``target_year`` a nullable integer and ``parent_id`` None
        at a plan's root. Rows with an error, and every item below them, are left out. Sorted by id.

    Raises
    ------
    DataError
        When the file cannot be read as a table: not UTF-8, empty, no data rows, a required column
        missing (each missing column is named).

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> items, problems = read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")
    >>> float(items.set_index("id").loc["PREV.A1.O1.IND1", "target_value"]), problems
    (2.0, [])
    """
    import pandas as pd

    header, rows = read_csv_rows(path, rel, REQUIRED_COLUMNS, table=TABLE)
    problems: list[Problem] = []
    bad: set[int] = set()
    for row in rows:
        found = _row_problems(row, rel)
        problems.extend(found)
        if found:
            bad.add(row.line)

    lines_by_id: dict[str, list[int]] = {}
    for row in rows:
        item_id = row.fields["id"].strip()
        if item_id:
            lines_by_id.setdefault(item_id, []).append(row.line)
    for item_id, lines in lines_by_id.items():
        if len(lines) > 1:
            problems.append(
                _problem(
                    rel,
                    "id_unique",
                    f"id {item_id!r} is used by {len(lines)} rows",
                    lines,
                    "id",
                    "monitoring data refers to plan items by id, so an id names one item",
                    [item_id],
                )
            )
            bad.update(lines)

    by_line = {r.line: r for r in rows}
    known = set(lines_by_id)
    for row in rows:
        parent = row.fields["parent_id"].strip()
        if row.line in bad or not parent:
            continue
        if parent not in known:
            problems.append(
                _problem(
                    rel,
                    "parent_exists",
                    f"parent_id {parent!r} is not the id of any item",
                    [row.line],
                    "parent_id",
                    "an item whose parent is missing falls out of the plan's tree",
                    [parent],
                )
            )
            bad.add(row.line)
        elif len(lines_by_id[parent]) == 1:
            parent_plan = by_line[lines_by_id[parent][0]].fields["plan"].strip()
            if parent_plan != row.fields["plan"].strip():
                problems.append(
                    _problem(
                        rel,
                        "parent_same_plan",
                        f"parent {parent!r} belongs to plan {parent_plan!r}",
                        [row.line],
                        "parent_id",
                        "an item and its parent belong to the same plan",
                        [parent],
                    )
                )
                bad.add(row.line)

    # Items below a row that was left out are left out too, so the tree stays whole.
    kept_ids = {
        r.fields["id"].strip(): r.line for r in rows if r.line not in bad and r.fields["id"].strip()
    }
    changed = True
    while changed:
        changed = False
        for row in rows:
            parent = row.fields["parent_id"].strip()
            if row.line in bad or not parent or parent in kept_ids:
                continue
            if parent in known:  # the parent exists but was left out because of its own problem
                problems.append(
                    _problem(
                        rel,
                        "parent_usable",
                        f"parent {parent!r} has a problem of its own and was left out",
                        [row.line],
                        "parent_id",
                        "an item is only shown inside its plan's tree",
                        [parent],
                    )
                )
            bad.add(row.line)
            kept_ids.pop(row.fields["id"].strip(), None)
            changed = True

    records = stripped_records(rows, PLAN_COLUMNS, skip=bad)
    df = pd.DataFrame.from_records(records, columns=[*PLAN_COLUMNS, "source_row"])
    df["parent_id"] = df["parent_id"].where(df["parent_id"] != "", None)
    df["target_value"] = pd.to_numeric(df["target_value"].mask(df["target_value"] == ""))
    df["target_year"] = pd.to_numeric(df["target_year"].mask(df["target_year"] == "")).astype(
        "Int64"
    )
    df["source_row"] = df["source_row"].astype(int)
    extra = [h for h in header if h not in PLAN_COLUMNS]
    if extra:
        problems.append(
            Problem(
                "warning",
                "columns_known",
                rel,
                f"column(s) not read: {', '.join(extra)}",
                rows=(1,),
                why="a column the loader does not know is probably misspelt",
                table=TABLE,
            )
        )
    return finish(df, ["id"], name=TABLE), problems


def _ancestors(items: pd.DataFrame) -> dict[str, list[str]]:
    """Return id -> ids of its ancestors, nearest first."""
    parent = dict(zip(items["id"], items["parent_id"], strict=True))
    out: dict[str, list[str]] = {}
    for item_id in parent:
        chain, p, seen = [], parent[item_id], {item_id}
        while isinstance(p, str) and p and p not in seen:
            chain.append(p)
            seen.add(p)
            p = parent.get(p)
        out[item_id] = chain
    return out


def plan_tree(plan_items: pd.DataFrame, plan: str) -> pd.DataFrame:
    """Return one plan's items in document order, each with its depth and its axis and objective.

    Parameters
    ----------
    plan_items
        The table from :func:`read_plan_items`.
    plan
        One of :data:`PLANS` (``"prevention"``, ``"resource_mobilization"``, ``"communication"``).

    Returns
    -------
    pandas.DataFrame
        ``id, level, depth, text_en, axis_id, objective_id, parent_id, doc_number`` and the remaining
        item columns, depth first from the plan's root (children in file order). ``depth`` is 0 at
        the plan. ``axis_id`` / ``objective_id`` are the nearest ancestor (or the item itself) of that
        level, or None.

    Raises
    ------
    ValueError
        When ``plan`` is not a known plan.

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> items, _ = read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")
    >>> tree = plan_tree(items, "prevention")
    >>> tree.loc[tree["level"] == "axis", "text_en"].tolist()[:2]
    ['Axis of sensitization', 'Axis of training']
    """
    if plan not in PLANS:
        raise ValueError(f"unknown plan {plan!r}; known: {', '.join(PLANS)}")
    items = plan_items[plan_items["plan"] == plan].sort_values("source_row", kind="mergesort")
    children: dict[str | None, list[str]] = {}
    for item_id, parent in zip(items["id"], items["parent_id"], strict=True):
        children.setdefault(parent if isinstance(parent, str) else None, []).append(item_id)
    order: list[str] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # depth-first, children in file order
        item_id = stack.pop()
        order.append(item_id)
        stack.extend(reversed(children.get(item_id, [])))
    items = items.set_index("id").loc[order].reset_index()
    anc = _ancestors(plan_items)
    level = dict(zip(plan_items["id"], plan_items["level"], strict=True))

    def nearest(item_id: str, wanted: str) -> str | None:
        for a in [item_id, *anc[item_id]]:
            if level.get(a) == wanted:
                return a
        return None

    out = items.copy()
    out["depth"] = [len(anc[i]) for i in out["id"]]
    out["axis_id"] = [nearest(i, "axis") for i in out["id"]]
    out["objective_id"] = [nearest(i, "objective") for i in out["id"]]
    first = [
        "id",
        "level",
        "depth",
        "text_en",
        "axis_id",
        "objective_id",
        "parent_id",
        "doc_number",
    ]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


#: Columns of :func:`plan_indicators`.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "plan",
    "axis_id",
    "axis",
    "objective_id",
    "objective_number",
    "objective",
    "indicator",
    "unit",
    "direction",
    "target_value",
    "target_text",
    "target_year",
    "responsible",
    "timeframe",
    "sdg_related",
    "source_ref",
    "notes",
)
_ITEM_FIELDS = INDICATOR_COLUMNS[INDICATOR_COLUMNS.index("unit") :]  # copied from the item as is


def plan_indicators(plan_items: pd.DataFrame) -> pd.DataFrame:
    """Return one row per indicator, with its axis and operational objective as columns.

    Parameters
    ----------
    plan_items
        The table from :func:`read_plan_items`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INDICATOR_COLUMNS`, sorted by ``indicator_id``. ``axis``/``objective`` are the
        texts of the nearest ancestor of that level (None when the indicator has none).

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> items, _ = read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")
    >>> ind = plan_indicators(items).set_index("indicator_id")
    >>> row = ind.loc["PREV.A1.O1.IND1"]
    >>> row["axis"], row["unit"], float(row["target_value"])
    ('Axis of sensitization', 'campaigns', 2.0)
    """
    import pandas as pd

    anc = _ancestors(plan_items)
    by_id = plan_items.set_index("id")
    rows = []
    for _, item in plan_items[plan_items["level"] == "indicator"].iterrows():
        chain = anc[item["id"]]
        axis = next((a for a in chain if by_id.at[a, "level"] == "axis"), None)
        objective = next((a for a in chain if by_id.at[a, "level"] == "objective"), None)
        rows.append(
            {
                "indicator_id": item["id"],
                "plan": item["plan"],
                "axis_id": axis,
                "axis": by_id.at[axis, "text_en"] if axis else None,
                "objective_id": objective,
                "objective_number": by_id.at[objective, "doc_number"] if objective else None,
                "objective": by_id.at[objective, "text_en"] if objective else None,
                "indicator": item["text_en"],
                **{c: item[c] for c in _ITEM_FIELDS},
            }
        )
    df = pd.DataFrame.from_records(rows, columns=list(INDICATOR_COLUMNS))
    df["target_value"] = df["target_value"].astype(float)
    df["target_year"] = df["target_year"].astype("Int64")
    return finish(df, ["indicator_id"], name="plan_indicators")


def level_counts(plan_items: pd.DataFrame) -> pd.DataFrame:
    """Return the number of items per plan and level (plans as rows, levels as columns).

    Examples
    --------
    >>> from corett_lib.core.paths import raw_path
    >>> items, _ = read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")
    >>> level_counts(items).loc[["prevention", "resource_mobilization", "communication"], "axis"].tolist()
    [4, 4, 8]
    """
    import pandas as pd

    counts = Counter(zip(plan_items["plan"], plan_items["level"], strict=True))
    df = pd.Series(counts, dtype=int).unstack(fill_value=0) if counts else pd.DataFrame()
    present = [lv for lv in LEVELS if lv in df.columns]
    return df.reindex(columns=present).sort_index()
