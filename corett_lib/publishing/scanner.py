"""Scan rendered outputs for disclosure: small counts and cells derivable from their margins.

The scanner reads what a reader reads (the rendered HTML), independently of how it was produced, and
uses the marks that :mod:`corett_lib.publishing.publish` writes:

* **Tables.** A ``<table data-corett-table=ID>`` has ``data-corett-role`` on each header cell
  (``count``, ``derived``, ``label``; only counts are checked, so years, rates and shares are never
  flagged), ``data-corett-status`` on suppressed cells and its relations in ``data-corett-relations``
  (JSON). Every shown count from 1 to k-1 is a finding; then the relations are audited from the shown
  text alone (``<m`` = 1..m-1, a complementary cell = k or more, a number = itself) with the interval
  propagation of :func:`corett_lib.publishing.disclosure.propagate`, and every suppressed cell pinned to one value
  is a finding, as is a derivable remainder from 1 to k-1 of a relation whose parts do not add up.
  A table without ``data-corett-table`` did not go through the publishing function: it is a finding,
  unless marked ``data-corett-exempt="why"`` (layout tables, the suppression ledger).
* **Chart data.** ``<script type="application/json" data-corett-chart=ID>`` (from
  :meth:`PublishedChartData.html_data <corett_lib.publishing.publish.PublishedChartData.html_data>`) and
  Vega-Lite specs embedded in the page carrying ``usermeta.corett``: every count field of every row
  must be null (suppressed) or outside 1..k-1, and a row marked suppressed must not carry its value.
  A Vega-Lite spec without ``usermeta.corett`` is a finding.
* **Chart SVG.** Vega's SVG describes each mark in ``aria-label="field: value; ..."``. Values of the
  page's declared count fields and titles from 1 to k-1 are findings. A page with more Vega SVGs
  (``class="marks"``) than declared chart data blocks has a finding.

* **Across the tables of a page.** A count cell may carry ``data-corett-fact`` (the fact it shows,
  see :mod:`corett_lib.publishing.linked`): the cells of every table of the page that show the same
  fact are one cell, and the relations of all those tables are audited together. A suppressed cell
  pinned to one value only by combining tables is a ``derivable_across_tables`` finding (e.g. a
  female count hidden in the sex table but equal to the total minus a male count another table
  shows).

Limits: tables without fact marks are audited one at a time (as :mod:`corett_lib.publishing.disclosure`
does); text outside tables and charts (sentences such as "3 victims") is not read.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from corett_lib.publishing import disclosure
from corett_lib.publishing.publish import total_words

_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^[+-]?\d+(?:\.\d+)?$")
_CENSORED = re.compile(r"^<\s*(\d+)$")
_RANGE = re.compile(r"^(\d[\d,]*)\s*[–-]\s*(\d[\d,]*)$")
_MISSING_TEXT = {"", "–", "-", "—", "..", "…"}
_VEGALITE_START = re.compile(r"\{\s*\"\$schema\"\s*:\s*\"https://vega\.github\.io/schema/vega-lite")

#: Output sub-folders skipped by default: kept failed runs and validation pages (not published).
DEFAULT_EXCLUDE: tuple[str, ...] = ("_failed", "validation")


@dataclass(frozen=True)
class Finding:
    """One disclosure problem in a rendered output.

    Attributes
    ----------
    file
        The output file (relative to the scanned folder when scanned with :func:`scan_outputs`).
    kind
        ``small_count``, ``derivable_cell``, ``derivable_remainder``, ``derivable_across_tables``,
        ``undeclared_total``, ``unmarked_table``,
        ``chart_small_count``, ``chart_suppressed_value``, ``unmarked_chart`` or ``k_below_build``.
    where
        The table or chart id (``table #3`` for an unmarked table), and the row/column when known.
    value
        The text or value concerned.
    message
        One sentence.
    """

    file: str
    kind: str
    where: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: [{self.kind}] {self.where}: {self.message} ({self.value!r})"


# ---------------------------------------------------------------------------------------------------
# HTML parsing


@dataclass
class _Cell:
    text: str
    attrs: dict[str, str]
    header: bool


@dataclass
class _Table:
    attrs: dict[str, str]
    rows: list[list[_Cell]]
    index: int  # 1-based position in the document


@dataclass
class _Script:
    attrs: dict[str, str]
    text: str


class _Collector(HTMLParser):
    """Collect tables (with cell text and attributes), scripts and SVG mark labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.scripts: list[_Script] = []
        self.mark_labels: list[str] = []
        self.vega_svgs = 0
        self._stack: list[_Table] = []
        self._row: list[_Cell] | None = None
        self._cell: _Cell | None = None
        self._script: _Script | None = None
        self._count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "table":
            self._count += 1
            self._stack.append(_Table(a, [], self._count))
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._stack:
            self._cell = _Cell("", a, tag == "th")
        elif tag == "script":
            self._script = _Script(a, "")
        elif tag == "svg" and "marks" in a.get("class", "").split():
            self.vega_svgs += 1
        if a.get("role") == "graphics-symbol" and a.get("aria-label"):
            self.mark_labels.append(a["aria-label"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("td", "th", "tr", "table", "script"):
            return
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            if self._row is not None:
                self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._stack:
                self._stack[-1].rows.append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.text += data
        elif self._cell is not None:
            self._cell.text += data


# ---------------------------------------------------------------------------------------------------
# Reading shown text


def _number(text: str) -> float | None:
    t = text.strip()
    if _NUMBER.match(t):
        return float(t.replace(",", ""))
    return None


def _is_small(value: float, k: int) -> bool:
    return 1 <= value < k


def _shown_bounds(cell: _Cell, k: int) -> tuple[tuple[float, float], bool]:
    """Return what a reader knows of a count cell, and whether it is suppressed."""
    text = cell.text.strip()
    n = _number(text)
    if n is not None:
        return (n, n), False
    m = _CENSORED.match(text)
    if m:
        return (1.0, float(int(m.group(1)) - 1)), True
    m = _RANGE.match(text)
    if m:  # a sum that includes censored counts, shown as its bounds
        low, high = (float(g.replace(",", "")) for g in m.groups())
        return (low, high), low < k
    if text in _MISSING_TEXT:
        return (0.0, math.inf), False
    if cell.attrs.get("data-corett-status") == "complementary":
        return (float(k), math.inf), True
    return (0.0, math.inf), True


@dataclass
class _Model:
    """What a reader can work out from one marked table: the audit's input."""

    tid: str
    names: list[str]
    body: list[list[_Cell]]
    bounds: dict[Any, tuple[float, float]]
    suppressed: set[Any]
    rels: list[tuple[Any, list[Any]]]
    remainders: dict[Any, int]
    facts: dict[Any, str]


def _model(table: _Table, k: int) -> _Model | None:
    """Return the audit model of a marked table (None when unmarked or its relations unreadable)."""
    tid = table.attrs.get("data-corett-table", "")
    if not tid:
        return None
    header = next((r for r in table.rows if r and all(c.header for c in r)), [])
    roles = [c.attrs.get("data-corett-role", "label") for c in header]
    names = [c.text for c in header]
    body = [r for r in table.rows if r is not header and not all(c.header for c in r)]
    bounds: dict[Any, tuple[float, float]] = {}
    suppressed: set[Any] = set()
    facts: dict[Any, str] = {}
    for r, row in enumerate(body):
        for c, cell in enumerate(row):
            if c >= len(roles) or roles[c] != "count":
                continue
            b, hidden = _shown_bounds(cell, k)
            bounds[(r, c)] = b
            if hidden:
                suppressed.add((r, c))
            if cell.attrs.get("data-corett-fact"):
                facts[(r, c)] = cell.attrs["data-corett-fact"]
    try:
        relations = json.loads(table.attrs.get("data-corett-relations", "[]") or "[]")
    except json.JSONDecodeError:
        return None
    rels: list[tuple[Any, list[Any]]] = []
    remainders: dict[Any, int] = {}
    for i, rel in enumerate(relations):
        keys: list[tuple[Any, ...]] = []
        for ref in [rel["t"], *rel["p"]]:
            key: tuple[Any, ...]
            if isinstance(ref, dict):
                key = ("declared", i, len(keys))
                high = ref.get("high")
                bounds[key] = (ref.get("low") or 0.0, math.inf if high is None else high)
            else:
                key = (int(ref[0]), int(ref[1]))
                bounds.setdefault(key, (0.0, math.inf))
            keys.append(key)
        if not rel.get("complete", True):
            rem = ("remainder", i)
            bounds[rem] = (0.0, math.inf)
            remainders[rem] = i
            keys.append(rem)
        rels.append((keys[0], keys[1:]))
    return _Model(tid, names, body, bounds, suppressed, rels, remainders, facts)


def _scan_linked(tables: Sequence[tuple[str, _Table]], k: int) -> list[Finding]:
    """Audit (file, table) pairs together, joining the cells that show the same fact.

    The tables of a page, or of the pages of a country-year.

    Only suppressed cells that no single table gives away are reported here (those are the
    per-table ``derivable_cell`` findings).
    """
    pairs = [(f, m) for f, m in ((f, _model(t, k)) for f, t in tables) if m is not None]
    files = [f for f, _ in pairs]
    models = [m for _, m in pairs]
    if sum(1 for m in models if m.facts) < 2:
        return []

    def key_of(i: int, m: _Model, key: Any) -> Any:
        fact = m.facts.get(key)
        return ("fact", fact) if fact is not None else ("cell", i, key)

    bounds: dict[Any, tuple[float, float]] = {}
    rels: list[tuple[Any, list[Any]]] = []
    for i, m in enumerate(models):
        for key, (lo, hi) in m.bounds.items():
            g = key_of(i, m, key)
            old = bounds.get(g, (0.0, math.inf))
            bounds[g] = (max(old[0], lo), min(old[1], hi))  # a fact shown anywhere is known
        rels += [(key_of(i, m, t), [key_of(i, m, p) for p in parts]) for t, parts in m.rels]
    joint = disclosure.propagate(bounds, rels)
    out: list[Finding] = []
    for i, m in enumerate(models):
        alone = disclosure.propagate(m.bounds, m.rels)
        for key in sorted(m.suppressed):
            lo, hi = joint[key_of(i, m, key)]
            if lo == hi and alone[key][0] != alone[key][1]:
                r, c = key
                out.append(
                    Finding(
                        files[i],
                        "derivable_across_tables",
                        f"table {m.tid}, row {r + 1}, column {m.names[c]!r}",
                        m.body[r][c].text,
                        f"suppressed cell can be derived from figures other tables show (fact "
                        f"{m.facts.get(key, '?')}): it is {lo:g}",
                    )
                )
    return out


def _scan_table(table: _Table, k: int, file: str) -> list[Finding]:
    out: list[Finding] = []
    tid = table.attrs.get("data-corett-table", "")
    if not tid:
        if "data-corett-exempt" in table.attrs:
            return out
        return [
            Finding(
                file,
                "unmarked_table",
                f"table #{table.index}",
                " | ".join(c.text for c in (table.rows[0] if table.rows else []))[:80],
                "table did not go through publish_table (no data-corett-table); mark layout tables "
                "data-corett-exempt",
            )
        ]
    table_k = int(table.attrs.get("data-corett-k", "0") or 0)
    if table_k < k:
        out.append(
            Finding(
                file,
                "k_below_build",
                f"table {tid}",
                str(table_k),
                f"table was published with k={table_k}, the build requires k={k}",
            )
        )
    model = _model(table, k)
    if model is None:
        return [*out, Finding(file, "k_below_build", f"table {tid}", "", "unreadable relations")]
    header = next((r for r in table.rows if r and all(c.header for c in r)), [])
    roles = [c.attrs.get("data-corett-role", "label") for c in header]
    names, body, bounds = model.names, model.body, model.bounds
    suppressed, rels, remainders = model.suppressed, model.rels, model.remainders
    shown = [key for key in bounds.keys() - suppressed if isinstance(key[0], int)]
    for key in sorted(shown):  # body cells, not declared totals or remainders
        r, c = key
        lo, hi = bounds[key]
        if lo == hi and _is_small(lo, k):
            out.append(
                Finding(
                    file,
                    "small_count",
                    f"table {tid}, row {r + 1}, column {names[c]!r}",
                    body[r][c].text,
                    f"count from 1 to {k - 1} shown",
                )
            )
    if not rels:
        words = total_words()
        label_cols = [c for c, role in enumerate(roles) if role == "label"]
        for r, row in enumerate(body):
            if any(c < len(row) and row[c].text.casefold() in words for c in label_cols):
                out.append(
                    Finding(
                        file,
                        "undeclared_total",
                        f"table {tid}, row {r + 1}",
                        row[label_cols[0]].text if label_cols else "",
                        "a total row with no declared relation: its parts are not protected",
                    )
                )
                break
    derived = disclosure.propagate(bounds, rels)
    for key in sorted(suppressed):
        lo, hi = derived[key]
        if lo == hi:
            r, c = key
            out.append(
                Finding(
                    file,
                    "derivable_cell",
                    f"table {tid}, row {r + 1}, column {names[c]!r}",
                    body[r][c].text,
                    f"suppressed cell can be derived from the totals: it is {lo:g}",
                )
            )
    for rem, i in remainders.items():
        lo, hi = derived[rem]
        if lo == hi and _is_small(lo, k):
            out.append(
                Finding(
                    file,
                    "derivable_remainder",
                    f"table {tid}, relation {i + 1}",
                    f"{lo:g}",
                    "the total minus its shown parts leaves a small count",
                )
            )
    return out


def _check_records(
    records: list[dict[str, Any]], meta: dict[str, Any], k: int, file: str, where: str
) -> list[Finding]:
    out: list[Finding] = []
    chart_k = int(meta.get("k", 0) or 0)
    if chart_k < k:
        out.append(
            Finding(file, "k_below_build", where, str(chart_k), f"chart published with k={chart_k}")
        )
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        for f in meta.get("count_fields", []):
            v = rec.get(f)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            if rec.get(f"{f}_status"):
                out.append(
                    Finding(
                        file,
                        "chart_suppressed_value",
                        f"{where}, row {i + 1}, field {f!r}",
                        str(v),
                        "a suppressed cell carries its value",
                    )
                )
            elif _is_small(float(v), k):
                out.append(
                    Finding(
                        file,
                        "chart_small_count",
                        f"{where}, row {i + 1}, field {f!r}",
                        str(v),
                        f"count from 1 to {k - 1} in chart data",
                    )
                )
    return out


def _vegalite_specs(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    specs = []
    for m in _VEGALITE_START.finditer(text):
        try:
            obj, _ = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            specs.append(obj)
    return specs


def _spec_records(spec: dict[str, Any]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    data = spec.get("data")
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        records.extend(data["values"])
    for values in (spec.get("datasets") or {}).values():
        if isinstance(values, list):
            records.extend(values)
    for key in ("layer", "concat", "hconcat", "vconcat"):
        for sub in spec.get(key) or []:
            if isinstance(sub, dict):
                records.extend(_spec_records(sub))
    if isinstance(spec.get("spec"), dict):
        records.extend(_spec_records(spec["spec"]))
    return records


def scan_html(html: str, k: int, file: str = "<html>") -> list[Finding]:
    """Return the disclosure findings of one rendered HTML page.

    Parameters
    ----------
    html
        The page.
    k
        The build's threshold.
    file
        Name used in findings.

    Examples
    --------
    >>> page = ('<table data-corett-table="t" data-corett-k="5"><tr><th data-corett-role="label">Sex'
    ...         '</th><th data-corett-role="count">Victims</th></tr><tr><td>Female</td><td>3</td></tr>'
    ...         '</table>')
    >>> [f.kind for f in scan_html(page, 5)]
    ['small_count']
    """
    parser = _Collector()
    parser.feed(html)
    parser.close()
    out: list[Finding] = []
    tables = sorted(parser.tables, key=lambda t: t.index)
    for table in tables:
        out.extend(_scan_table(table, k, file))
    out.extend(_scan_linked([(file, t) for t in tables], k))
    count_names: set[str] = set()
    declared_charts = 0
    for script in parser.scripts:
        chart_id = script.attrs.get("data-corett-chart")
        if chart_id is not None:
            declared_charts += 1
            try:
                payload = json.loads(script.text)
            except json.JSONDecodeError:
                out.append(
                    Finding(
                        file, "unmarked_chart", f"chart {chart_id}", "", "unreadable chart data"
                    )
                )
                continue
            count_names.update(payload.get("count_fields", []))
            count_names.update(payload.get("count_titles", []))
            out.extend(
                _check_records(payload.get("values", []), payload, k, file, f"chart {chart_id}")
            )
            continue
        for n, spec in enumerate(_vegalite_specs(script.text), start=1):
            meta = (spec.get("usermeta") or {}).get("corett")
            if not isinstance(meta, dict):
                out.append(
                    Finding(
                        file,
                        "unmarked_chart",
                        f"vega-lite spec #{n}",
                        str(spec.get("title", ""))[:80],
                        "chart data did not go through publish_chart_data (no usermeta.corett)",
                    )
                )
                continue
            declared_charts += 1
            count_names.update(meta.get("count_fields", []))
            count_names.update(meta.get("count_titles", []))
            where = f"chart {meta.get('chart', n)}"
            out.extend(_check_records(_spec_records(spec), meta, k, file, where))
    if parser.vega_svgs > declared_charts:
        out.append(
            Finding(
                file,
                "unmarked_chart",
                "svg",
                f"{parser.vega_svgs} chart(s), {declared_charts} with published data",
                "Vega SVG chart(s) without published chart data (publish_chart_data().html_data())",
            )
        )
    for label in parser.mark_labels:
        for part in label.split(";"):
            name, sep, value = part.partition(":")
            if not sep or name.strip() not in count_names:
                continue
            count = _number(value.strip())
            if count is not None and _is_small(count, k):
                out.append(
                    Finding(
                        file,
                        "chart_small_count",
                        f"svg mark {name.strip()!r}",
                        label,
                        f"chart mark shows a count from 1 to {k - 1}",
                    )
                )
    return out


MIN_K = 2
"""The smallest threshold that checks something (counts 1..k-1 are disclosive); the build's
``disclosure_k`` has the same lower bound."""


def check_k(k: int) -> None:
    """Raise :class:`ValueError` when ``k`` is below :data:`MIN_K`.

    Examples
    --------
    >>> check_k(5)
    >>> check_k(0)
    Traceback (most recent call last):
    ...
    ValueError: k=0 checks nothing: the threshold must be at least 2
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_K:
        raise ValueError(f"k={k} checks nothing: the threshold must be at least {MIN_K}")


def scan_outputs(
    out_dir: str | os.PathLike[str],
    k: int,
    *,
    pattern: str = "**/*.html",
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE,
) -> list[Finding]:
    """Return the disclosure findings of every rendered page under ``out_dir``.

    Parameters
    ----------
    out_dir
        The output folder of a build.
    k
        The build's threshold (``parameters/build.yaml`` ``disclosure_k``).
    pattern
        Glob of the pages to scan, relative to ``out_dir``.
    exclude
        Top-level sub-folders to skip (kept failed runs and validation pages are not published).

    Returns
    -------
    list[Finding]
        Sorted by file; empty when nothing is disclosed. Besides each page's own findings, the
        tables of the pages of one folder and language (a country-year) are audited together
        through their fact marks (``derivable_across_tables``).

    Raises
    ------
    ValueError
        When ``k`` is below :data:`MIN_K` (a scan with ``k <= 1`` would check nothing and pass).
    """
    check_k(k)
    root = Path(out_dir)
    findings: list[Finding] = []
    #: (folder, language) -> the (file, table) pairs of its pages: a country-year in one language
    groups: dict[tuple[str, str], list[tuple[str, _Table]]] = {}
    for path in sorted(root.glob(pattern)):
        rel = path.relative_to(root)
        if rel.parts and rel.parts[0] in exclude:
            continue
        text = path.read_text(encoding="utf-8")
        findings.extend(scan_html(text, k, rel.as_posix()))
        parser = _Collector()
        parser.feed(text)
        parser.close()
        lang = path.name.split(".")[-2] if path.name.count(".") >= 2 else ""
        group = groups.setdefault((rel.parent.as_posix(), lang), [])
        group.extend((rel.as_posix(), t) for t in sorted(parser.tables, key=lambda t: t.index))
    # The pages of one country-year together: a count hidden on one page must not be derivable
    # from what another page of the same country-year shows.
    seen = {(f.file, f.kind, f.where) for f in findings}
    for _, pairs in sorted(groups.items()):
        if len({f for f, _ in pairs}) < 2:
            continue
        for found in _scan_linked(pairs, k):
            if (found.file, found.kind, found.where) not in seen:
                seen.add((found.file, found.kind, found.where))
                findings.append(found)
    return sorted(findings, key=lambda f: f.file)
