"""Disclosure control: primary and complementary suppression of counts in tables with margins.

Counts of trafficking victims broken down by sex, age, nationality and form of exploitation identify
people in small countries. UNODC publishes counts from 1 to 4 as ``<5``; the Counter Trafficking Data
Collaborative applies k-anonymity with k = 11. The workbench applies one threshold ``k`` per build
(``parameters/build.yaml`` ``disclosure_k``, default 5).

This module is the algorithm only (no pandas, no formatting); :mod:`corett_lib.publishing.publish` turns tables
into cells and relations, calls :func:`suppress`, and formats the result.

The model
---------
A table is a set of *cells* (one count each) and *relations*: ``total = part_1 + ... + part_n``
(a row and its row total, a column and its column total, the parts of a country-year and the total
published for it). A cell may already be censored by its source (UNODC ``<5``: true value between
``low`` = 1 and ``high`` = 4) or missing (no figure published).

Rule implemented
----------------
1. **Primary suppression.** A count from 1 to k-1 is suppressed (shown ``<k``). A censored input cell
   whose lower bound is below k is always primarily suppressed (it is shown as ``<m`` with
   ``m = max(k, high + 1)``, so ``<5`` stays ``<5`` when k < 5); one whose lower bound is k or more
   (a sum that includes censored counts) is shown as its range. Zero stays zero, unless ``suppress_zeros=True`` (then 0 counts as small).
2. **Complementary suppression.** What a reader can work out is modelled as intervals: a shown count
   is known exactly; a primarily suppressed count lies in ``[1, k-1]`` (a censored one in
   ``[low, high]``; ``[0, k-1]`` with ``suppress_zeros``); a complementary suppressed count lies in
   ``[k, inf)`` (the reader is assumed to know the rule, which is conservative); a missing count in
   ``[0, inf)``. Every relation is then used, repeatedly, to narrow each unknown cell's interval
   (``x = total - other parts``, interval arithmetic, until nothing changes). A suppressed cell is
   *protected* when its interval still holds more than one whole number. While some suppressed cell
   is pinned to one value, the smallest shown non-zero cell of a relation that pins it is suppressed
   too (parts before totals at equal value; table order breaks ties), and the audit is run again.

   This contains the conventional rule ("in any relation whose total is published never leave
   exactly one suppressed cell; suppress the next smallest non-zero cell"): one unknown in a relation
   is always pinned. It is stricter in one respect: two small cells only protect each other when the
   relation leaves them room, e.g. a published total that makes ``<5`` and ``<5`` add up to 2 pins
   both at 1, and a further cell is suppressed.
3. **Incomplete relations.** When the source's own figures contradict a relation (every member known
   and the parts do not add up to the total, e.g. a source total that includes categories not
   listed; or bounds that cannot add up), the relation is read as ``total = parts + remainder``. A
   remainder known to be from 1 to k-1 is treated as a small hidden cell: another cell of the
   relation is suppressed so it cannot be derived.
4. **Withholding.** When a cell stays derivable and no shown non-zero cell of its relations is left
   (e.g. UNODC publishes a total of ``<5`` and four parts of ``<5``: each part must be 1), every part
   of the relation that pins it, zeros included, is *withheld*: shown as suppressed, with no bounds
   (``[0, inf)`` for the reader). ``on_unprotectable="raise"`` raises instead.

Limits
------
* Interval propagation over the relations of *one* table is weaker than an attack by linear or
  integer programming over all relations at once: in large multi-way tables a determined reader may
  narrow a cell further than this audit sees. Intervals wider than one value are not a guarantee of
  a minimum protection width (no p% rule).
* **Linked tables**: :func:`suppress` decides one problem. The same counts published in several
  tables (victims by sex in one, by sex and age in another, the country total in the headline, the
  other pages of the country-year) are coordinated one level up:
  :mod:`corett_lib.publishing.fact_disclosure` decides the published facts once per indicator and
  year (every country and the region's sums), and every table that names its facts applies that
  decision (``preset`` statuses below); :mod:`corett_lib.publishing.linked` does the same for a set
  of registered tables (:func:`~corett_lib.publishing.fact_disclosure.observation_fact` and
  :func:`~corett_lib.publishing.fact_disclosure.indicator_fact` name the fact a source's figure or a
  ratio's numerator is). A table that names no facts is still decided on its own.
* Totals declared as published elsewhere (``fixed`` cells) are never suppressed here; when even
  withholding cannot protect a cell, :func:`suppress` raises :class:`DisclosureError` rather than
  publish.
* A relation is only recognised as incomplete when the figures contradict it; a source total that
  includes unlisted categories but happens to be consistent with censored parts is read as exact
  (which errs on the side of suppressing more).
* Zeros are shown (default, as the issue asks) and never serve as complementary cells: a shown zero
  tells the reader that nobody falls in that cell, which can itself be sensitive (e.g. "all victims
  were female"); ``suppress_zeros=True`` treats zero as small. (The UNODC export of 14 April 2025 lists
  no zero counts; zeros come from other sources and computed tables.)
* Complementary cells are chosen greedily (smallest value first), not by an optimal (minimum loss)
  solver.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["", "primary", "complementary", "withheld"]
"""Cell status: shown (``""``), primary or complementary suppression, or withheld (see below)."""

PRIMARY: Status = "primary"
COMPLEMENTARY: Status = "complementary"
WITHHELD: Status = "withheld"
SHOWN: Status = ""

INF = math.inf

#: Rounds of interval narrowing before the audit stops (each round visits every relation).
MAX_ROUNDS = 200


class DisclosureError(ValueError):
    """A suppressed cell would stay derivable and no further cell can be suppressed to protect it."""


@dataclass(frozen=True)
class Cell:
    """One count as the source gives it.

    Parameters
    ----------
    value
        The count; ``None`` when censored or missing.
    low, high
        Bounds of the true count: equal to ``value`` when exact; ``(1, 4)`` for UNODC ``<5``;
        ``(0, inf)`` when missing.
    """

    value: float | None
    low: float
    high: float

    @property
    def censored(self) -> bool:
        """True when the source publishes only bounds (e.g. ``<5``)."""
        return self.value is None and not self.missing

    @property
    def missing(self) -> bool:
        """True when there is no figure at all."""
        return self.value is None and self.low == 0 and self.high == INF

    @classmethod
    def exact(cls, value: float) -> Cell:
        """Return an exactly known count."""
        return cls(float(value), float(value), float(value))

    @classmethod
    def bounded(cls, low: float, high: float) -> Cell:
        """Return a count censored by its source to ``[low, high]``."""
        if not 0 <= low <= high:
            raise ValueError(f"censored bounds must satisfy 0 <= low <= high, got [{low}, {high}]")
        return cls(None, float(low), float(high))

    @classmethod
    def absent(cls) -> Cell:
        """Return a missing count (no figure published)."""
        return cls(None, 0.0, INF)


def parse_count(raw: object) -> Cell:
    """Return the :class:`Cell` of a count as found in a table.

    Numbers are exact; ``None``/NaN/empty text is missing; ``"<N"`` (e.g. UNODC's ``"<5"``) is
    censored to ``[1, N-1]``; a :class:`Cell` is returned as is. Text digits with thousands commas
    (``"1,234"``) are read as numbers.

    Raises
    ------
    ValueError
        For a negative count or text that is not a count.

    Examples
    --------
    >>> parse_count("<5")
    Cell(value=None, low=1.0, high=4.0)
    >>> parse_count(12).value, parse_count(float("nan")).missing
    (12.0, True)
    """
    if isinstance(raw, Cell):
        return raw
    if raw is None:
        return Cell.absent()
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if text == "":
            return Cell.absent()
        if text.startswith("<"):
            bound = float(text[1:].strip())
            return Cell.bounded(1.0, bound - 1.0)
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{raw!r} is not a count") from None
    else:
        try:
            number = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{raw!r} is not a count") from None
    if math.isnan(number):
        return Cell.absent()
    if number < 0:
        raise ValueError(f"a count cannot be negative, got {raw!r}")
    return Cell.exact(number)


@dataclass(frozen=True)
class Relation:
    """``total = sum(parts)`` over cell keys; ``name`` says which row/column/group it is."""

    total: Hashable
    parts: tuple[Hashable, ...]
    name: str = ""


@dataclass
class Suppression:
    """The result of :func:`suppress`.

    Attributes
    ----------
    status
        Cell key -> ``""`` (shown), ``"primary"`` or ``"complementary"``.
    bounds
        Cell key -> ``(low, high)``: what a reader can derive about each cell after suppression.
    incomplete
        Names of relations whose parts do not add up to their total (read with a remainder).
    """

    status: dict[Hashable, Status]
    bounds: dict[Hashable, tuple[float, float]]
    incomplete: list[str] = field(default_factory=list)

    def keys(self, status: Status) -> list[Hashable]:
        """Return the keys of the cells with ``status``, in table order."""
        return [key for key, s in self.status.items() if s == status]

    @property
    def n_primary(self) -> int:
        """Number of primarily suppressed cells."""
        return len(self.keys(PRIMARY))

    @property
    def n_complementary(self) -> int:
        """Number of complementary suppressed cells."""
        return len(self.keys(COMPLEMENTARY))


def is_small(cell: Cell, k: int, *, suppress_zeros: bool = False) -> bool:
    """Return True when ``cell`` needs primary suppression at threshold ``k``.

    Examples
    --------
    >>> is_small(Cell.exact(4), 5), is_small(Cell.exact(5), 5), is_small(Cell.exact(0), 5)
    (True, False, False)
    >>> is_small(Cell.bounded(1, 4), 3)
    True

    A censored range whose lower bound is at least ``k`` (a regional sum that includes ``<5``
    counts, e.g. 796-802) is not small: it is shown as its range.

    >>> is_small(Cell.bounded(796, 802), 5)
    False
    """
    if cell.censored:
        return cell.low < k
    if cell.value is None:
        return False
    if cell.value == 0:
        return suppress_zeros
    return cell.value < k


def reader_bounds(
    cell: Cell, status: Status, k: int, *, suppress_zeros: bool = False
) -> tuple[float, float]:
    """Return what a reader knows about ``cell`` from how it is shown (before using relations)."""
    if cell.missing:
        return (0.0, INF)
    if status == SHOWN:
        return (cell.low, cell.high)
    if status == PRIMARY:
        if cell.censored:
            return (cell.low, cell.high)
        return (0.0 if suppress_zeros else 1.0, float(k - 1))
    if status == WITHHELD:
        return (0.0, INF)
    return (float(k), INF)


def _member_lists(
    relations: Sequence[Relation], remainders: Mapping[int, Hashable]
) -> list[tuple[Hashable, list[Hashable]]]:
    out: list[tuple[Hashable, list[Hashable]]] = []
    for i, rel in enumerate(relations):
        parts = list(rel.parts)
        if i in remainders:
            parts.append(remainders[i])
        out.append((rel.total, parts))
    return out


def propagate(
    bounds: Mapping[Hashable, tuple[float, float]],
    relations: Sequence[tuple[Hashable, Sequence[Hashable]]],
) -> dict[Hashable, tuple[float, float]]:
    """Narrow every cell's interval with ``total = sum(parts)`` relations until nothing changes.

    Parameters
    ----------
    bounds
        Cell key -> ``(low, high)`` known at the start.
    relations
        ``(total key, part keys)`` pairs.

    Returns
    -------
    dict
        Cell key -> narrowed ``(low, high)``; integers (``low`` rounded up, ``high`` down).

    Examples
    --------
    >>> b = propagate({"t": (13, 13), "a": (1, 4), "b": (5, float("inf"))}, [("t", ["a", "b"])])
    >>> b["a"], b["b"]
    ((1, 4), (9, 12))
    """
    cur: dict[Hashable, tuple[float, float]] = {
        key: (_ceil(lo), _floor(hi)) for key, (lo, hi) in bounds.items()
    }
    for _ in range(MAX_ROUNDS):
        changed = False
        for total, parts in relations:
            # total = sum(parts). What the others allow for member i is a sum over the others, so
            # the sums over all members are kept (with their infinities counted apart) and each
            # member's own share taken out: linear in the relation's size, not quadratic. A member
            # narrowed here updates the sums at once, so the next member sees it (as before).
            members = [total, *parts]
            lo_sum, hi_sum = _Sum(), _Sum()
            for j, key in enumerate(members):
                lo_sum.add(_share_low(j, cur[key]))
                hi_sum.add(_share_high(j, cur[key]))
            for i, key in enumerate(members):
                k_lo, k_hi = cur[key]
                lo_rest = lo_sum.without(_share_low(i, (k_lo, k_hi)))
                hi_rest = hi_sum.without(_share_high(i, (k_lo, k_hi)))
                if i:  # a part: part = total - the other parts
                    lo_rest, hi_rest = -hi_rest, -lo_rest
                lo = max(k_lo, _ceil(lo_rest)) if not math.isnan(lo_rest) else k_lo
                hi = min(k_hi, _floor(hi_rest)) if not math.isnan(hi_rest) else k_hi
                if (lo, hi) != (k_lo, k_hi):
                    lo_sum.replace(_share_low(i, (k_lo, k_hi)), _share_low(i, (lo, hi)))
                    hi_sum.replace(_share_high(i, (k_lo, k_hi)), _share_high(i, (lo, hi)))
                    cur[key] = (lo, hi)
                    changed = True
        if not changed:
            break
    return cur


def _share_low(position: int, interval: tuple[float, float]) -> float:
    """Return member ``position``'s term of the lowest sum of the others (total first, negated)."""
    return -interval[1] if position == 0 else interval[0]


def _share_high(position: int, interval: tuple[float, float]) -> float:
    """Return member ``position``'s term of the highest sum of the others (total first, negated)."""
    return -interval[0] if position == 0 else interval[1]


class _Sum:
    """A sum of floats with its infinities and NaNs counted apart, so one term can be taken out exactly.

    The finite terms are whole numbers (bounds are rounded), so adding and taking out is exact.
    """

    __slots__ = ("finite", "nan", "neg", "pos")

    def __init__(self) -> None:
        self.finite, self.pos, self.neg, self.nan = 0.0, 0, 0, 0

    def add(self, x: float, sign: int = 1) -> None:
        if math.isnan(x):
            self.nan += sign
        elif x == INF:
            self.pos += sign
        elif x == -INF:
            self.neg += sign
        else:
            self.finite += sign * x

    def replace(self, old: float, new: float) -> None:
        self.add(old, -1)
        self.add(new)

    def without(self, x: float) -> float:
        """Return the sum of every term but one equal to ``x`` (as a plain float sum would be)."""
        nan, pos, neg, finite = self.nan, self.pos, self.neg, self.finite
        if math.isnan(x):
            nan -= 1
        elif x == INF:
            pos -= 1
        elif x == -INF:
            neg -= 1
        else:
            finite -= x
        if nan or (pos and neg):
            return math.nan
        return INF if pos else -INF if neg else finite


def _ceil(x: float) -> float:
    return x if x in (INF, -INF) else math.ceil(x - 1e-9)


def _floor(x: float) -> float:
    return x if x in (INF, -INF) else math.floor(x + 1e-9)


def pinned(bounds: Mapping[Hashable, tuple[float, float]], keys: Iterable[Hashable]) -> list:
    """Return the keys among ``keys`` whose interval holds exactly one whole number.

    An empty interval (``low > high``) means the relations contradict the data (inconsistent source
    totals); it pins nothing.
    """
    return [key for key in keys if bounds[key][0] == bounds[key][1]]


def suppress(
    cells: Mapping[Hashable, Cell | object],
    relations: Sequence[Relation] = (),
    *,
    k: int = 5,
    suppress_zeros: bool = False,
    fixed: Iterable[Hashable] = (),
    on_unprotectable: Literal["withhold", "raise"] = "withhold",
    preset: Mapping[Hashable, Status] | None = None,
) -> Suppression:
    """Apply primary and complementary suppression to ``cells`` linked by ``relations``.

    Parameters
    ----------
    cells
        Cell key -> count (a :class:`Cell`, a number, NaN/None for missing, or ``"<5"`` text), in
        table order (ties are broken by this order).
    relations
        ``total = sum(parts)`` relations between cell keys. Keys must be in ``cells``.
    k
        Threshold: counts from 1 to k-1 are suppressed. At least 2.
    suppress_zeros
        Treat zero as a small count (suppress it) instead of showing it.
    fixed
        Keys of cells that must not be suppressed here (totals published elsewhere). A fixed cell
        that is itself small is still suppressed (it is small wherever it is published).
    on_unprotectable
        When no shown cell is left to suppress and a cell is still derivable: ``"withhold"`` hides
        every part of the relation that pins it, zeros included, with no bounds (status
        ``"withheld"``); ``"raise"`` raises :class:`DisclosureError`.
    preset
        Cell key -> a status decided elsewhere (the country-year decision of
        :mod:`corett_lib.publishing.fact_disclosure`): a cell preset as hidden starts hidden with
        that status and is never shown; a cell preset as shown (``""``) is read as decided (pass it
        in ``fixed`` too so it is never suppressed here).

    Returns
    -------
    Suppression

    Raises
    ------
    DisclosureError
        When a suppressed cell stays derivable and no cell is left to suppress.
    KeyError
        When a relation names a key that is not in ``cells``.

    Examples
    --------
    A 2×2 table with margins and one small cell: its row, its column and the cell that closes the
    rectangle are suppressed.

    >>> cells = {"xa": 3, "xb": 10, "xt": 13, "ya": 20, "yb": 30, "yt": 50,
    ...          "ta": 23, "tb": 40, "tt": 63}
    >>> rels = [Relation("xt", ("xa", "xb")), Relation("yt", ("ya", "yb")),
    ...         Relation("tt", ("ta", "tb")), Relation("ta", ("xa", "ya")),
    ...         Relation("tb", ("xb", "yb")), Relation("tt", ("xt", "yt"))]
    >>> res = suppress(cells, rels, k=5)
    >>> res.keys("primary"), res.keys("complementary")
    (['xa'], ['xb', 'ya', 'yb'])
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    parsed = {key: parse_count(raw) for key, raw in cells.items()}
    order = {key: i for i, key in enumerate(parsed)}
    for rel in relations:
        for key in (rel.total, *rel.parts):
            if key not in parsed:
                raise KeyError(f"relation {rel.name or rel.total!r} names unknown cell {key!r}")
    frozen = set(fixed)
    status: dict[Hashable, Status] = {
        key: PRIMARY if is_small(c, k, suppress_zeros=suppress_zeros) else SHOWN
        for key, c in parsed.items()
    }
    for key, preset_status in (preset or {}).items():
        if preset_status != SHOWN and key in status:
            status[key] = preset_status

    # Relations that the source's own figures contradict get a remainder cell: exactly known members
    # that do not add up (the remainder is known), or bounds that cannot add up (it is not).
    remainders: dict[int, Hashable] = {}
    remainder_values: dict[Hashable, float | None] = {}
    remainder_start: dict[Hashable, tuple[float, float]] = {}
    incomplete: list[str] = []
    for i, rel in enumerate(relations):
        total = parsed[rel.total]
        parts = [parsed[p] for p in rel.parts]
        key = ("__remainder__", i)
        if total.value is not None and all(p.value is not None for p in parts):
            gap = total.value - sum(p.value for p in parts)  # type: ignore[misc]
            if abs(gap) <= 1e-9:
                continue
            remainder_values[key] = gap
            remainder_start[key] = (0.0 if gap >= 0 else -INF, INF)
        elif total.low > sum(p.high for p in parts):
            remainder_values[key] = None
            remainder_start[key] = (0.0, INF)
        elif total.high < sum(p.low for p in parts):
            remainder_values[key] = None
            remainder_start[key] = (-INF, INF)
        else:
            continue
        remainders[i] = key
        incomplete.append(rel.name or str(rel.total))
    members_of = _member_lists(relations, remainders)

    def reader_view() -> dict[Hashable, tuple[float, float]]:
        start = {
            key: reader_bounds(c, status[key], k, suppress_zeros=suppress_zeros)
            for key, c in parsed.items()
        }
        start.update(remainder_start)
        return start

    def needs_protection(key: Hashable) -> bool:
        if key in remainder_values:
            gap = remainder_values[key]
            return gap is not None and is_small(
                Cell.exact(max(gap, 0.0)), k, suppress_zeros=suppress_zeros
            )
        return status[key] != SHOWN and not parsed[key].missing

    while True:
        start = reader_view()
        bounds = propagate(start, members_of)
        exposed = [key for key in pinned(bounds, bounds) if needs_protection(key)]
        if not exposed:
            break
        choice = _next_complementary(
            exposed, members_of, parsed, status, frozen, order, start, bounds
        )
        if choice is not None:
            status[choice] = COMPLEMENTARY
            continue
        group = _to_withhold(exposed, members_of, parsed, status, frozen, start, bounds)
        if group and on_unprotectable == "withhold":
            for key in group:
                status[key] = WITHHELD
            continue
        raise DisclosureError(
            f"cell(s) {exposed[:5]} can be derived from the published totals and no further "
            "cell can be suppressed to protect them; suppress the total where it is published"
        )
    for key in remainder_values:
        bounds.pop(key, None)
    return Suppression(status=status, bounds=bounds, incomplete=incomplete)


def _next_complementary(
    exposed: Sequence[Hashable],
    members_of: Sequence[tuple[Hashable, Sequence[Hashable]]],
    parsed: Mapping[Hashable, Cell],
    status: Mapping[Hashable, Status],
    frozen: set[Hashable],
    order: Mapping[Hashable, int],
    start: Mapping[Hashable, tuple[float, float]],
    bounds: Mapping[Hashable, tuple[float, float]],
) -> Hashable | None:
    """Return the cell to suppress next.

    Relations holding an exposed cell are tried in this order: those that pin it on their own from
    what the reader sees (``start``), those that pin it given what the reader can derive elsewhere
    (``bounds``), then any relation it belongs to. In the first relation with a candidate, the
    smallest shown non-zero cell is chosen (parts before the total at equal value).
    """
    tiers: list[list[tuple[Hashable, Sequence[Hashable]]]] = [[], [], []]
    for key in exposed:
        for rel in members_of:
            total, parts = rel
            if key != total and key not in parts:
                continue
            if _pins(key, rel, start):
                tiers[0].append(rel)
            elif _pins(key, rel, bounds):
                tiers[1].append(rel)
            else:
                tiers[2].append(rel)
    for total, parts in (*tiers[0], *tiers[1], *tiers[2]):
        candidates = []
        for rank, member in ((1, total), *((0, p) for p in parts)):
            cell = parsed.get(member)
            if cell is None or status[member] != SHOWN or member in frozen:
                continue
            if cell.value is None or cell.value == 0:
                continue
            candidates.append((cell.value, rank, order[member], member))
        if candidates:
            return min(candidates, key=lambda c: c[:3])[3]
    return None


def _to_withhold(
    exposed: Sequence[Hashable],
    members_of: Sequence[tuple[Hashable, Sequence[Hashable]]],
    parsed: Mapping[Hashable, Cell],
    status: Mapping[Hashable, Status],
    frozen: set[Hashable],
    start: Mapping[Hashable, tuple[float, float]],
    bounds: Mapping[Hashable, tuple[float, float]],
) -> list[Hashable]:
    """Return the cells to withhold.

    The parts (else the total) of a relation that pins an exposed cell and still has a cell that is
    not withheld.
    """
    ranked = []
    for key in exposed:
        for rel in members_of:
            total, parts = rel
            if key != total and key not in parts:
                continue
            tier = 0 if _pins(key, rel, start) else 1 if _pins(key, rel, bounds) else 2
            ranked.append((tier, rel))
    for _, (total, parts) in sorted(ranked, key=lambda x: x[0]):
        group = [p for p in parts if p in parsed and status[p] != WITHHELD and p not in frozen]
        if group:
            return group
        if total in parsed and status[total] != WITHHELD and total not in frozen:
            return [total]
    return []


def _pins(
    key: Hashable,
    relation: tuple[Hashable, Sequence[Hashable]],
    known: Mapping[Hashable, tuple[float, float]],
) -> bool:
    """Return True when ``relation`` alone, with ``known`` intervals of the others, pins ``key``.

    When every other member's interval (rounded as :func:`propagate` rounds it) is finite and not
    empty, ``key``'s is the exact sum or difference of theirs and nothing narrows further, so ``key``
    is pinned exactly when each of them is: no propagation needed. Otherwise (an unknown or
    contradicted member) the relation is propagated.
    """
    total, parts = relation
    simple, all_pinned = True, True
    for m in (total, *parts):
        if m == key:
            continue
        lo, hi = known[m]
        lo, hi = _ceil(lo), _floor(hi)
        if math.isnan(lo) or math.isnan(hi) or lo > hi or math.isinf(lo) or math.isinf(hi):
            simple = False
            break
        all_pinned = all_pinned and lo == hi
    if simple:
        return all_pinned
    others = {m: known[m] for m in (total, *parts) if m != key}
    others[key] = (-INF, INF)
    narrowed = propagate(others, [relation])
    return narrowed[key][0] == narrowed[key][1]
