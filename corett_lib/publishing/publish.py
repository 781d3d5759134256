"""The one publishing function: every table, chart and download leaves the workbench through here.

* :func:`publish_table` — applies disclosure control (:mod:`corett_lib.publishing.disclosure`) to a table and
  returns a :class:`PublishedTable`: display strings (``<5``, ``1,582``, "suppressed"), the status of
  every cell, and HTML that carries machine-readable marks for :mod:`corett_lib.publishing.scanner`
  (``data-corett-table``, the role of each column, the status of each cell, the table's relations).
* :func:`publish_chart_data` — the data behind a chart, through :func:`publish_table`: suppressed
  counts become null with a flag so the chart shows them as suppressed.
* :func:`export_frame`, :func:`export_csv`, :func:`export_excel` — the explorer's downloads, from a
  :class:`PublishedTable`; text that a spreadsheet would run as a formula is made inert.
* :class:`Ledger` — collects what each table suppressed and why; rendered at the end of each report.

Two layouts are understood:

(a) **wide**: ``count_columns`` with an optional ``row_total`` column (each row's total) and an optional
    ``total_row`` (the row of column totals, selected by column values, e.g. ``{"sex": "Total"}``);
(b) **long**: one or more count columns, rows grouped by ``group_by`` (e.g. ``["year"]``); each group's
    total is either one of its rows (``group_total={"category": "Total"}``) or declared as published
    elsewhere (``declared_totals={2019: 204}``).

Counts may be numbers, NaN (no figure) or source-censored text such as UNODC's ``"<5"``. Columns listed
in ``derived`` (rates, shares, changes) are suppressed in every row where a count they depend on is
suppressed, so no rate is ever computed from a suppressed count; a derived value must depend on counts
of its own row (put last year's count beside this year's before publishing a change).

Shown: a count with thousands separators (``1,582``, same convention in en and es, see
:mod:`corett_lib.core.i18n`); a primary cell as ``<k`` (a source ``<5`` stays ``<5`` when k < 5); a
complementary, withheld or derived cell as the catalogue's "suppressed" / "suprimido"; no figure as
``–``; zero as ``0``. A table showing a "Total" row or column that is not declared as such is refused,
because its parts would not be protected.

In a report: one ``Ledger(k)`` per report, ``publish_table(..., ledger=ledger, lang=lang)`` for every
table, ``ledger.to_html(lang)`` at the end; a chart's SVG goes with ``publish_chart_data(...).html_data()``.
"""

from __future__ import annotations

import html as _html
import io
import json
import math
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from corett_lib.core import i18n
from corett_lib.core.spreadsheet import FORMULA_PREFIXES, neutralize  # noqa: F401 - re-exported
from corett_lib.publishing import disclosure

if TYPE_CHECKING:
    import pandas as pd

#: Threshold when neither ``k`` nor a ledger is given (``parameters/build.yaml`` ``disclosure_k``).
DEFAULT_K = 5

#: Shown for a count with no figure (missing), in every language.
NO_FIGURE = "–"

#: Between the bounds of a count known only as a range (``796–802``).
RANGE_DASH = "–"


Role = Literal["label", "count", "derived"]


@dataclass(frozen=True)
class TableModel:
    """One table as a suppression problem: what :func:`publish_table` gives a linked decision."""

    cells: Mapping[Hashable, Any]  #: count cell ``(row, column)`` (and declared total) -> count
    relations: Sequence[disclosure.Relation]
    fixed: frozenset[Hashable]  #: totals published elsewhere
    facts: Mapping[tuple[int, str], str]  #: count cell -> the fact it shows
    suppress_zeros: bool = False
    on_unprotectable: Literal["withhold", "raise"] = "withhold"


class LinkedDecision(Protocol):
    """A suppression decided across linked tables.

    :class:`corett_lib.publishing.linked.LinkedPlan` (tables registered, then decided together) or
    :class:`corett_lib.publishing.fact_disclosure.FactDecision` (the facts of a country-year).
    """

    k: int

    def result(
        self,
        table_id: str,
        cells: Mapping[Hashable, Any] | None = None,
        *,
        model: TableModel | None = None,
    ) -> disclosure.Suppression:
        """Return the decision for the cells of ``table_id``."""
        ...

    def facts(self, table_id: str) -> dict[tuple[int, str], str]:
        """Return the fact keys registered for ``table_id``."""
        ...


@dataclass(frozen=True)
class LedgerEntry:
    """What one published table or chart suppressed."""

    table_id: str
    title: str
    kind: Literal["table", "chart"]
    k: int
    cells: int  #: count cells in the table
    primary: int
    complementary: int
    derived: int  #: rate/share/change cells suppressed with their count
    withheld: int = 0  #: counts withheld because suppression alone could not protect them

    @property
    def suppressed(self) -> int:
        """All suppressed cells (counts and derived)."""
        return self.primary + self.complementary + self.derived + self.withheld


class Ledger:
    """The suppression ledger of one report: which tables, how many cells, why.

    Parameters
    ----------
    k
        The report's threshold (stated at the top of the ledger). Entries with another ``k`` are
        refused, so one report applies one threshold.

    Examples
    --------
    >>> import pandas as pd
    >>> ledger = Ledger(k=5)
    >>> _ = publish_table(pd.DataFrame({"n": [3, 12]}), table_id="t", title="T",
    ...                   count_columns=["n"], ledger=ledger)
    >>> [(e.table_id, e.primary, e.complementary) for e in ledger.entries]
    [('t', 1, 0)]
    """

    def __init__(self, k: int = DEFAULT_K) -> None:
        self.k = k
        self.entries: list[LedgerEntry] = []

    def add(self, entry: LedgerEntry) -> None:
        """Record ``entry``; a table published twice under one id keeps its latest entry.

        Raises
        ------
        ValueError
            When ``entry.k`` is not the ledger's ``k``.
        """
        if entry.k != self.k:
            raise ValueError(
                f"table {entry.table_id!r} was published with k={entry.k}, the report uses k={self.k}"
            )
        self.entries = [e for e in self.entries if e.table_id != entry.table_id]
        self.entries.append(entry)

    def rows(self, lang: str = "en") -> list[tuple[str, str, int]]:
        """Return ``(table, reason, cells)`` rows in publication order.

        Tables with nothing suppressed get one row with reason "none" and 0 cells.
        """
        out: list[tuple[str, str, int]] = []
        for e in self.entries:
            name = e.title or e.table_id
            if e.kind == "chart":
                name = f"{i18n.t('disclosure.kind.chart', lang)}: {name}"
            reasons = [
                (i18n.t("disclosure.primary", lang, threshold=e.k), e.primary),
                (i18n.t("disclosure.complementary", lang), e.complementary),
                (i18n.t("disclosure.withheld", lang), e.withheld),
                (i18n.t("disclosure.derived", lang), e.derived),
            ]
            shown = [(reason, n) for reason, n in reasons if n]
            if not shown:
                shown = [(i18n.t("disclosure.none", lang), 0)]
            out.extend((name, reason, n) for reason, n in shown)
        return out

    def to_html(self, lang: str = "en", *, heading_level: int | None = 2) -> str:
        """Return the ledger as HTML: a heading, the threshold sentence and one table.

        The table carries ``data-corett-exempt="ledger"``: its numbers count cells, not people, and
        the scanner skips it.
        """
        esc = _html.escape
        parts = []
        if heading_level:
            title = esc(i18n.t("section.suppression_ledger", lang))
            parts.append(f"<h{heading_level}>{title}</h{heading_level}>")
        parts.append(f"<p>{esc(i18n.t('note.suppressed', lang, threshold=self.k))}</p>")
        head = "".join(
            f"<th>{esc(i18n.t(key, lang))}</th>"
            for key in ("label.table", "label.reason", "label.cells_suppressed")
        )
        body = "".join(
            f"<tr><td>{esc(name)}</td><td>{esc(reason)}</td><td>{esc(i18n.number(n, lang))}</td></tr>"
            for name, reason, n in self.rows(lang)
        )
        parts.append(
            f'<table class="corett-table corett-ledger" data-corett-exempt="ledger">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
        return '<section class="corett-ledger">' + "".join(parts) + "</section>\n"

    def to_markdown(self, lang: str = "en") -> str:
        """Return the ledger as a Markdown table preceded by the threshold sentence."""
        head = [
            i18n.t(key, lang) for key in ("label.table", "label.reason", "label.cells_suppressed")
        ]
        lines = [i18n.t("note.suppressed", lang, threshold=self.k), ""]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|---|---|---:|")
        for name, reason, n in self.rows(lang):
            cells = [name.replace("|", "\\|"), reason.replace("|", "\\|"), i18n.number(n, lang)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        return self.to_html()


@dataclass(repr=False)
class PublishedTable:
    """A table ready to show: display strings plus the status of every cell.

    Attributes
    ----------
    display
        The table as shown: every cell a string.
    values
        The numbers behind shown cells (count and derived columns); NaN where suppressed or missing.
    status
        Per cell: ``""`` shown, ``"primary"``, ``"complementary"``, ``"withheld"`` or ``"derived"``
        (a rate/share of a suppressed count); ``""`` for label columns.
    roles
        Column -> ``"label"``, ``"count"`` or ``"derived"``.
    relations
        Relations between body cells as ``(total, parts, complete)``; a total or part is
        ``(row, column)`` or, for a total published elsewhere, ``("declared", low, high)``.
    facts
        Count cell ``(row, column)`` -> the key of the fact it shows (e.g. ``GTM|2019|victims|sex|
        Female``), when the caller named it: the same fact in another table of the page is the
        same number, and the scanner audits the tables of a page together through these keys.
    """

    table_id: str
    title: str
    k: int
    lang: str
    display: pd.DataFrame
    values: pd.DataFrame
    status: pd.DataFrame
    roles: dict[str, Role]
    relations: list[tuple[Any, list[Any], bool]] = field(default_factory=list)
    entry: LedgerEntry | None = None
    facts: dict[tuple[int, str], str] = field(default_factory=dict)

    @property
    def count_columns(self) -> list[str]:
        """Columns of counts."""
        return [c for c, r in self.roles.items() if r == "count"]

    def to_html(self, *, caption: bool = True, css: str = "corett-table") -> str:
        """Return the table as HTML with the marks the scanner reads.

        ``<table data-corett-table=ID data-corett-k=K data-corett-relations=JSON>``; every header cell
        has ``data-corett-role``; every suppressed cell has ``data-corett-status``; a count cell whose
        fact is named has ``data-corett-fact``.
        """
        esc = _html.escape
        columns = list(self.display.columns)
        index_of = {c: i for i, c in enumerate(columns)}
        rels = []
        for total, parts, complete in self.relations:
            rels.append(
                {
                    "t": _cell_ref(total, index_of),
                    "p": [_cell_ref(p, index_of) for p in parts],
                    "complete": complete,
                }
            )
        attrs = (
            f' class="{esc(css)}" data-corett-table="{esc(self.table_id)}"'
            f' data-corett-k="{self.k}"'
            f" data-corett-relations='{esc(json.dumps(rels, separators=(',', ':')), quote=True)}'"
        )
        cap = f"<caption>{esc(self.title)}</caption>" if caption and self.title else ""
        head = "".join(
            f'<th data-corett-role="{self.roles[c]}">{esc(str(c))}</th>' for c in columns
        )
        body_rows = []
        for r in range(len(self.display)):
            cells = []
            for c in columns:
                text = esc(str(self.display.iat[r, index_of[c]]))
                st = self.status.iat[r, index_of[c]]
                mark = f' data-corett-status="{st}"' if st else ""
                fact = self.facts.get((r, c))
                if fact is not None:
                    mark += f' data-corett-fact="{esc(fact, quote=True)}"'
                num = ' class="num"' if self.roles[c] != "label" else ""
                cells.append(f"<td{num}{mark}>{text}</td>")
            body_rows.append("<tr>" + "".join(cells) + "</tr>")
        return (
            f"<table{attrs}>{cap}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body_rows)}</tbody></table>\n"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        head = f"{self.title or self.table_id} (k={self.k})"
        return head + "\n" + self.display.to_string(index=False)


def _cell_ref(ref: Any, index_of: Mapping[Any, int]) -> Any:
    if ref[0] == "declared":
        return {"low": _json_number(ref[1]), "high": _json_number(ref[2])}
    return [int(ref[0]), index_of[ref[1]]]


def _json_number(x: float) -> float | None:
    return None if math.isinf(x) else x


def _format(value: Any, spec: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_FIGURE
    kind, _, digits = spec.partition(":")
    decimals = int(digits) if digits else 0
    if kind in ("count", "number"):
        return i18n.number(value, lang, decimals)
    if kind == "percent":
        return i18n.percent(value, lang, decimals)
    if kind == "text":
        return str(value)
    raise ValueError(f"unknown format {spec!r}; use count, number:N, percent:N or text")


def format_range(low: float, high: float, lang: str) -> str:
    """Return a count known only within bounds as the report shows it (an en dash between them).

    Examples
    --------
    >>> format_range(796, 802, "en")
    '796–802'
    """
    return f"{i18n.number(low, lang)}{RANGE_DASH}{i18n.number(high, lang)}"


def _label_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def total_words() -> set[str]:
    """Return the casefolded labels that mark a total row or column (both languages)."""
    words = {"total", "totals", "total por año"}
    for lang in i18n.LANGUAGES:
        for key in ("label.total", "label.regional_total"):
            words.add(i18n.t(key, lang).casefold())
    return words


def _check_totals_declared(
    table: pd.DataFrame,
    table_id: str,
    counts: Sequence[str],
    total_row: Mapping[str, Any] | None,
    group_total: Mapping[str, Any] | None,
    declared_totals: Mapping[Any, Any] | None,
) -> None:
    """Refuse a table that shows a total the caller did not declare.

    Complementary suppression protects small counts only from the totals it knows about.
    """
    words = total_words()
    undeclared_cols = [
        c for c in table.columns if str(c).strip().casefold() in words and c not in counts
    ]
    if undeclared_cols:
        raise ValueError(
            f"table {table_id!r}: column(s) {undeclared_cols} look like totals but are not count "
            "columns; pass them as row_total (or count_columns)"
        )
    if total_row or group_total:
        return
    for c in table.columns:
        if c in counts:
            continue
        # A plain loop: the tables are small, and three pandas string passes per column cost more.
        if any(str(v).strip().casefold() in words for v in table[c].to_numpy(object)):
            raise ValueError(
                f"table {table_id!r}: column {c!r} has a total row but no total_row/group_total "
                "is declared; declare it so the parts are protected from being derived"
            )


def _row_mask(df: pd.DataFrame, select: Mapping[str, Any]) -> pd.Series:
    mask = None
    for col, val in select.items():
        if col not in df.columns:
            raise KeyError(f"total row selector names unknown column {col!r}")
        m = df[col] == val
        mask = m if mask is None else mask & m
    if mask is None:
        raise ValueError("a total row selector needs at least one column")
    return mask


def _relations(
    df: pd.DataFrame,
    counts: Sequence[str],
    row_total: str | None,
    total_row: Mapping[str, Any] | None,
    group_by: Sequence[str] | None,
    group_total: Mapping[str, Any] | None,
    declared_totals: Mapping[Any, Any] | None,
) -> tuple[dict[Hashable, Any], list[disclosure.Relation], set[Hashable]]:
    """Return the extra (declared) cells, the relations and the fixed keys of a table."""
    extra: dict[Hashable, Any] = {}
    relations: list[disclosure.Relation] = []
    fixed: set[Hashable] = set()
    n = len(df)
    if group_by:
        if row_total or total_row:
            raise ValueError(
                "use either the wide layout (row_total/total_row) or group_by, not both"
            )
        if declared_totals is not None and len(counts) != 1:
            raise ValueError("declared_totals needs exactly one count column")
        is_total = (
            _row_mask(df, group_total).to_numpy()
            if group_total
            else [False] * n  # no total row in the table
        )
        keys = df[list(group_by)].itertuples(index=False, name=None)
        groups: dict[tuple, list[int]] = {}
        for pos, key in enumerate(keys):
            groups.setdefault(key, []).append(pos)
        for key, rows in groups.items():
            label = key[0] if len(key) == 1 else key
            totals = [r for r in rows if is_total[r]]
            parts = [r for r in rows if not is_total[r]]
            if len(totals) > 1:
                raise ValueError(f"group {label!r} has {len(totals)} total rows; expected one")
            for c in counts:
                if totals:
                    total_key: Hashable = (totals[0], c)
                elif declared_totals is not None and label in declared_totals:
                    total_key = ("declared", label, c)
                    extra[total_key] = declared_totals[label]
                    fixed.add(total_key)
                else:
                    continue
                relations.append(
                    disclosure.Relation(total_key, tuple((r, c) for r in parts), f"{label}/{c}")
                )
        return extra, relations, fixed
    if declared_totals is not None or group_total is not None:
        raise ValueError("declared_totals and group_total need group_by")
    tot_rows = list(_row_mask(df, total_row).to_numpy().nonzero()[0]) if total_row else []
    if len(tot_rows) > 1:
        raise ValueError(f"total_row {dict(total_row or {})} selects {len(tot_rows)} rows")
    if row_total:
        for r in range(n):
            relations.append(
                disclosure.Relation((r, row_total), tuple((r, c) for c in counts), f"row {r + 1}")
            )
    if tot_rows:
        tr = int(tot_rows[0])
        others = [r for r in range(n) if r != tr]
        for c in [*counts, *([row_total] if row_total else [])]:
            relations.append(
                disclosure.Relation((tr, c), tuple((r, c) for r in others), f"column {c}")
            )
    return extra, relations, fixed


def table_model(
    df: pd.DataFrame,
    *,
    table_id: str,
    count_columns: Sequence[str],
    row_total: str | None = None,
    total_row: Mapping[str, Any] | None = None,
    group_by: Sequence[str] | None = None,
    group_total: Mapping[str, Any] | None = None,
    declared_totals: Mapping[Any, Any] | None = None,
) -> tuple[pd.DataFrame, dict[Hashable, Any], list[disclosure.Relation], set[Hashable]]:
    """Return a table's cells and relations as :func:`publish_table` sees them.

    Parameters are those of :func:`publish_table`.

    Returns
    -------
    table, cells, relations, fixed
        The table with a fresh index; count cell ``(row, column)`` (and declared total) -> its
        count; the relations between them; the keys of totals published elsewhere.

    Raises
    ------
    ValueError
        A total is shown without being declared, or the layout is contradictory.
    """
    counts = list(count_columns)
    counts_all = [*counts, row_total] if row_total else counts
    table = df.reset_index(drop=True)
    _check_totals_declared(table, table_id, counts_all, total_row, group_total, declared_totals)
    cells: dict[Hashable, Any] = {}
    columns = {c: table[c].array for c in dict.fromkeys(counts_all)}
    for r in range(len(table)):
        for c in counts_all:
            cells[(r, c)] = columns[c][r]
    extra, relations, fixed = _relations(
        table, counts, row_total, total_row, group_by, group_total, declared_totals
    )
    cells.update(extra)
    return table, cells, relations, fixed


def publish_table(
    df: pd.DataFrame,
    *,
    table_id: str,
    title: str = "",
    count_columns: Sequence[str],
    row_total: str | None = None,
    total_row: Mapping[str, Any] | None = None,
    group_by: Sequence[str] | None = None,
    group_total: Mapping[str, Any] | None = None,
    declared_totals: Mapping[Any, Any] | None = None,
    derived: Mapping[str, str | Sequence[str]] | None = None,
    formats: Mapping[str, str] | None = None,
    k: int | None = None,
    suppress_zeros: bool = False,
    on_unprotectable: Literal["withhold", "raise"] = "withhold",
    ledger: Ledger | None = None,
    lang: str = "en",
    kind: Literal["table", "chart"] = "table",
    facts: Mapping[tuple[int, str], str] | None = None,
    linked: LinkedDecision | None = None,
) -> PublishedTable:
    """Apply disclosure control to ``df`` and return it ready to show.

    Parameters
    ----------
    df
        The table, already in the rows and columns to publish (labels translated).
    table_id
        Stable id of the table within the report (goes into the HTML and the ledger).
    title
        Caption, in the report's language.
    count_columns
        Columns holding counts of people (numbers, NaN, or ``"<5"`` text). In the wide layout these
        are the parts; ``row_total`` is added to them.
    row_total
        Wide layout: the column holding each row's total of ``count_columns``.
    total_row
        Wide layout: column values selecting the row of column totals, e.g. ``{"sex": "Total"}``.
    group_by
        Long layout: columns whose values identify a group of parts with one total (e.g. a
        country-year's forms of exploitation).
    group_total
        Long layout: column values selecting, within each group, the row that is its total.
    declared_totals
        Long layout: group key (the ``group_by`` value, or a tuple of values) -> the group's total
        published elsewhere in the report. It is never suppressed here (see
        :class:`~corett_lib.publishing.disclosure.DisclosureError`).
    derived
        Column -> the count column(s) of the same row it is computed from (rates, shares, changes).
        A derived cell is suppressed when any of them is.
    formats
        Column -> ``"count"``, ``"number:N"``, ``"percent:N"`` (a fraction shown as %) or ``"text"``.
        Counts default to ``"count"``, derived columns to ``"number:1"``; other columns are labels,
        shown as text (years stay ``2019``).
    k
        Threshold: counts from 1 to k-1 are suppressed (the ledger states it in the report).
        Default: the ledger's ``k``, else :data:`DEFAULT_K`.
    suppress_zeros
        Suppress zeros too (default: zero stays zero).
    on_unprotectable
        What to do when suppression cannot protect a cell (see :mod:`corett_lib.publishing.disclosure`, rule 4):
        ``"withhold"`` the parts of that group, or ``"raise"``.
    ledger
        The report's :class:`Ledger`; the table's entry is added to it.
    lang
        ``"en"`` or ``"es"``: number format and words.
    kind
        ``"table"`` or ``"chart"`` (for the ledger).
    facts
        Count cell ``(row, column)`` (of ``df`` with a fresh index) -> the key of the fact it shows;
        written into the HTML for the scanner (default: the keys registered in ``linked``).
    linked
        A decision across tables: the page's :class:`~corett_lib.publishing.linked.LinkedPlan`,
        where this table was registered, or the country-year's
        :class:`~corett_lib.publishing.fact_disclosure.FactDecision` (cells named in ``facts`` take
        their fact's status; the table's own relations protect the rest). Either way no hidden count
        can be derived from another table (default: decided for this table alone).

    Returns
    -------
    PublishedTable

    Raises
    ------
    KeyError
        A named column is not in ``df``.
    ValueError
        A count is negative or not a count, or the layout is contradictory.
    corett_lib.publishing.disclosure.DisclosureError
        A small count cannot be protected (only with ``declared_totals``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["Female", "Male", "Total"], "n": [3, 10, 13]})
    >>> pub = publish_table(df, table_id="by_sex", count_columns=["n"], total_row={"sex": "Total"})
    >>> pub.display["n"].tolist()
    ['<5', 'suppressed', '13']
    """
    import pandas as pd

    if k is None:
        k = ledger.k if ledger is not None else DEFAULT_K
    counts = list(count_columns)
    counts_all = [*counts, row_total] if row_total else counts
    derived_map = {
        col: [deps] if isinstance(deps, str) else list(deps)
        for col, deps in (derived or {}).items()
    }
    missing = [
        c
        for c in [*counts_all, *derived_map, *(d for ds in derived_map.values() for d in ds)]
        if c not in df.columns
    ]
    if missing:
        raise KeyError(f"table {table_id!r}: column(s) not in the table: {sorted(set(missing))}")
    bad_deps = [d for ds in derived_map.values() for d in ds if d not in counts_all]
    if bad_deps:
        raise ValueError(
            f"table {table_id!r}: derived columns depend on non-count columns {bad_deps}"
        )
    table, cells, relations, fixed = table_model(
        df,
        table_id=table_id,
        count_columns=counts,
        row_total=row_total,
        total_row=total_row,
        group_by=group_by,
        group_total=group_total,
        declared_totals=declared_totals,
    )
    if linked is not None:
        if linked.k != k:
            raise ValueError(
                f"table {table_id!r}: k={k} but the linked plan decides with k={linked.k}"
            )
        if facts is None:
            facts = linked.facts(table_id)
        model = TableModel(
            cells=cells,
            relations=relations,
            fixed=frozenset(fixed),
            facts=dict(facts),
            suppress_zeros=suppress_zeros,
            on_unprotectable=on_unprotectable,
        )
        result = linked.result(table_id, cells, model=model)
    else:
        try:
            result = disclosure.suppress(
                cells,
                relations,
                k=k,
                suppress_zeros=suppress_zeros,
                fixed=fixed,
                on_unprotectable=on_unprotectable,
            )
        except ValueError as exc:
            raise type(exc)(f"table {table_id!r}: {exc}") from exc
    parsed = {key: disclosure.parse_count(v) for key, v in cells.items()}

    fmt = {c: "count" for c in counts_all}
    fmt.update({c: "number:1" for c in derived_map})
    fmt.update(formats or {})
    roles: dict[str, Role] = {}
    for c in table.columns:
        roles[c] = "count" if c in counts_all else "derived" if c in derived_map else "label"

    suppressed_word = i18n.t("label.suppressed", lang)
    # Cells are filled column by column in plain lists (positions = rows), then framed once.
    n_rows = len(table)
    shown: dict[Hashable, list[Any]] = {}
    numbers: dict[Hashable, list[float]] = {}
    states: dict[Hashable, list[str]] = {}
    n_derived = 0
    for c in table.columns:
        role = roles[c]
        source = table[c].array
        if role == "label":
            shown[c] = [_label_text(source[r]) for r in range(n_rows)]
            continue
        disp: list[Any] = [None] * n_rows
        vals = [math.nan] * n_rows
        stat = [""] * n_rows
        shown[c], numbers[c], states[c] = disp, vals, stat
        for r in range(n_rows):
            if role == "count":
                cell = parsed[(r, c)]
                st = result.status[(r, c)]
                stat[r] = st
                if st == disclosure.PRIMARY:
                    bound = max(k, int(cell.high) + 1) if cell.censored else k
                    disp[r] = f"<{bound}"
                elif st in (disclosure.COMPLEMENTARY, disclosure.WITHHELD):
                    disp[r] = suppressed_word
                elif cell.censored:  # a range that is not small, e.g. a sum with <5 parts
                    disp[r] = format_range(cell.low, cell.high, lang)
                else:
                    vals[r] = cell.value if cell.value is not None else math.nan
                    disp[r] = _format(cell.value, fmt[c], lang)
                continue
            hidden = any(result.status[(r, d)] != disclosure.SHOWN for d in derived_map[c])
            if hidden:
                stat[r] = "derived"
                disp[r] = suppressed_word
                n_derived += 1
            else:
                number = _as_float(source[r])
                vals[r] = number
                disp[r] = _format(number, fmt[c], lang) if not math.isnan(number) else NO_FIGURE
    frame = {"index": table.index, "columns": table.columns}
    display = pd.DataFrame(shown, **frame, dtype=object)
    values = pd.DataFrame(
        {c: numbers.get(c, [math.nan] * n_rows) for c in shown}, **frame, dtype=float
    )
    status = pd.DataFrame({c: states.get(c, [""] * n_rows) for c in shown}, **frame, dtype=object)

    published_relations = []
    for rel in relations:
        complete = (rel.name or str(rel.total)) not in result.incomplete
        published_relations.append(
            (
                _ref(rel.total, parsed, result, k),
                [_ref(p, parsed, result, k) for p in rel.parts],
                complete,
            )
        )
    # Keys are ``(row, column)`` cells or ``("declared", label, column)`` totals published
    # elsewhere; only the cells are counted.
    counted = [s for key, s in result.status.items() if cast(tuple, key)[0] != "declared"]
    entry = LedgerEntry(
        table_id=table_id,
        title=title,
        kind=kind,
        k=k,
        cells=len(counted),
        primary=counted.count("primary"),
        complementary=counted.count("complementary"),
        derived=n_derived,
        withheld=counted.count("withheld"),
    )
    if ledger is not None:
        ledger.add(entry)
    return PublishedTable(
        table_id=table_id,
        title=title,
        k=k,
        lang=lang,
        display=display,
        values=values,
        status=status,
        roles=roles,
        relations=published_relations,
        entry=entry,
        facts=dict(facts or {}),
    )


def _ref(
    key: Hashable,
    parsed: Mapping[Hashable, disclosure.Cell],
    result: disclosure.Suppression,
    k: int,
) -> Any:
    """Return a relation member as published: a body cell ``(row, col)`` or a declared total."""
    if isinstance(key, tuple) and key and key[0] == "declared":
        cell = parsed[key]
        low, high = disclosure.reader_bounds(cell, result.status[key], k)
        return ("declared", low, high)
    return key


def _as_float(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


@dataclass(repr=False)
class PublishedChartData:
    """The data behind one chart, after disclosure control.

    Attributes
    ----------
    data
        The input rows; each count and derived column is null where suppressed, and has a companion
        ``<column>_status`` (``""``, ``"primary"``, ``"complementary"``, ``"derived"``) and
        ``<column>_text`` (the display string, e.g. ``<5``); ``suppressed`` is True for a row with any
        suppressed cell.
    table
        The :class:`PublishedTable` it was published as.
    """

    chart_id: str
    k: int
    count_fields: list[str]
    derived_fields: list[str]
    data: pd.DataFrame
    table: PublishedTable

    def __repr__(self) -> str:
        return f"chart data {self.chart_id} (k={self.k})\n" + repr(self.table)

    def records(self) -> list[dict[str, Any]]:
        """Return the rows as JSON-ready dicts (null for NaN), e.g. for Vega-Lite ``data.values``."""
        out = []
        for rec in self.data.to_dict("records"):
            out.append({str(k): plain_value(v) for k, v in rec.items()})
        return out

    def usermeta(self, titles: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Return the Vega-Lite ``usermeta`` that tells the scanner which fields are counts.

        Parameters
        ----------
        titles
            Count field -> the title the chart gives it (axis, legend or tooltip title). Vega writes
            titles, not field names, into the SVG's mark descriptions; the scanner needs both.
        """
        return {
            "corett": {
                "chart": self.chart_id,
                "k": self.k,
                "count_fields": self.count_fields,
                "count_titles": [
                    str(t) for f, t in (titles or {}).items() if f in self.count_fields
                ],
                "derived_fields": self.derived_fields,
            }
        }

    def html_data(self, titles: Mapping[str, str] | None = None) -> str:
        """Return an inert ``<script type="application/json" data-corett-chart=ID>`` with the data.

        Put it in the page with the chart's SVG (e.g. inside its ``<figure>``): readers of the page
        source see exactly what the chart shows, and the scanner checks both. ``titles`` as for
        :meth:`usermeta`.
        """
        payload = {**self.usermeta(titles)["corett"], "values": self.records()}
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        text = text.replace("</", "<\\/")
        return (
            f'<script type="application/json" data-corett-chart="{_html.escape(self.chart_id)}">'
            f"{text}</script>\n"
        )


def plain_value(value: Any) -> Any:
    """Return ``value`` as a plain Python value for JSON, CSV or a workbook: numpy scalars unwrapped, NaN None.

    Examples
    --------
    >>> import numpy as np
    >>> plain_value(np.int64(3)), plain_value(float("nan")), plain_value(np.float64("nan")), plain_value("x")
    (3, None, None, 'x')
    """
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def publish_chart_data(
    df: pd.DataFrame, *, chart_id: str, title: str = "", **options: Any
) -> PublishedChartData:
    """Publish the data behind a chart through :func:`publish_table`.

    Parameters
    ----------
    df
        The chart's data (long: one row per mark).
    chart_id
        Stable id of the chart within the report.
    title
        The chart's title (for the ledger).
    **options
        As for :func:`publish_table` (``count_columns``, ``group_by``, ``declared_totals``,
        ``derived``, ``k``, ``ledger``, ``lang``, ...).

    Returns
    -------
    PublishedChartData

    Examples
    --------
    >>> import pandas as pd
    >>> cd = publish_chart_data(pd.DataFrame({"year": [2018, 2019], "n": [3, 40]}),
    ...                         chart_id="trend", count_columns=["n"])
    >>> cd.records()[0]
    {'year': 2018, 'n': None, 'n_status': 'primary', 'n_text': '<5', 'suppressed': True}
    """
    table = publish_table(df, table_id=chart_id, title=title, kind="chart", **options)
    data = df.reset_index(drop=True).copy()
    fields = [c for c, r in table.roles.items() if r != "label"]
    for c in fields:
        data[c] = table.values[c].astype(float)
        data[f"{c}_status"] = table.status[c]
        data[f"{c}_text"] = table.display[c]
    data["suppressed"] = (table.status[fields] != "").any(axis=1) if fields else False
    return PublishedChartData(
        chart_id=chart_id,
        k=table.k,
        count_fields=table.count_columns,
        derived_fields=[c for c, r in table.roles.items() if r == "derived"],
        data=data,
        table=table,
    )


def export_frame(published: PublishedTable, *, machine: bool = True) -> pd.DataFrame:
    """Return the table as a download: what the page shows, nothing more.

    Parameters
    ----------
    published
        A table from :func:`publish_table`.
    machine
        True: shown counts and derived values as plain numbers (no thousands separators); suppressed
        cells as their display text (``<5``, "suppressed"). False: the display strings.

    Returns
    -------
    pandas.DataFrame
        Every text cell passed through :func:`neutralize`.
    """
    out = published.display.copy()
    if machine:
        for c, role in published.roles.items():
            if role == "label":
                continue
            col = []
            shown = published.display[c].array
            for r, (st, v) in enumerate(
                zip(published.status[c].array, published.values[c].array, strict=True)
            ):
                if st or math.isnan(v):
                    col.append(shown[r] if st else None)
                else:
                    col.append(int(v) if role == "count" and float(v).is_integer() else v)
            out[c] = col
    return out.map(neutralize)


def export_csv(
    published: PublishedTable, path: str | os.PathLike[str] | None = None, *, machine: bool = True
) -> str:
    """Write the download as UTF-8 CSV (with BOM, so spreadsheets read accents) and return its text.

    Parameters
    ----------
    published
        A table from :func:`publish_table`.
    path
        Where to write; ``None`` only returns the text.
    machine
        See :func:`export_frame`.
    """
    text = export_frame(published, machine=machine).to_csv(index=False, lineterminator="\n")
    if path is not None:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            f.write(text)
    return text


def export_excel(
    published: PublishedTable, path: str | os.PathLike[str], *, machine: bool = True
) -> None:
    """Write the download as an Excel workbook (one sheet, named after the table).

    The workbook is :func:`excel_bytes` of that one table (text typed as text, formula-like text
    neutralised).
    """
    sheet = (published.table_id or "table", published)
    Path(path).write_bytes(excel_bytes([sheet], machine=machine))


def excel_bytes(sheets: Sequence[tuple[str, PublishedTable]], *, machine: bool = True) -> bytes:
    """Return an Excel workbook with one sheet per published table.

    Parameters
    ----------
    sheets
        ``(sheet name, published table)`` pairs; names are cut to Excel's 31 characters.
    machine
        See :func:`export_frame`.

    Returns
    -------
    bytes
        The ``.xlsx`` file. Every text cell is typed as text (openpyxl would otherwise store
        ``=...`` as a formula) and text that starts like a formula also carries the apostrophe of
        :func:`neutralize`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = publish_table(pd.DataFrame({"q": ["EQ1"], "note": ["=1+1"]}), table_id="t", count_columns=[])
    >>> excel_bytes([("Answers", t)])[:2]
    b'PK'
    """
    from openpyxl import Workbook  # third-party, 0.2 s to import: only when a workbook is written

    wb = Workbook()
    wb.remove(wb.active)
    for name, published in sheets:
        frame = export_frame(published, machine=machine)
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(col) for col in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            ws.append([_excel_value(v) for v in row])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _excel_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
