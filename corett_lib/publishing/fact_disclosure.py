"""Disclosure decided once per country-year at the level of the published facts.

Every count a page shows is a published *fact* (:mod:`corett_lib.facts.table`, key ``iso3``,
``year``, ``indicator_id``, ``disaggregation``, ``category``). Pages show the same facts in many
tables: the annual report's victims by sex, the SDG page's 16.2.2 by sex, the infographic, the
headline's total, the regional comparison. Decided table by table, a count hidden in one table can be
recovered from figures another table, on another page, publishes. :class:`FactDecision` decides
primary and complementary suppression once for the facts themselves, and every table that names the
facts of its cells (``publish_table(..., facts=..., linked=decision)``) applies that one decision:
a fact hidden anywhere is hidden on every page, in every language and in every download.

The relations of the decision are those the fact structure implies (the relations tables show):

* **breakdowns**: for each count indicator, country and year, ``total = sum(parts)`` for every
  published disaggregation (sex, age, citizenship, form). A breakdown whose parts do not add
  up to the total (forms of exploitation overlap; parts of an unknown category are missing) is read,
  as in any table, with a remainder (:mod:`corett_lib.publishing.disclosure`, rule 3);
* **sex by age** (when ``sex_age`` is among the published breakdowns; :data:`PAGE_BREAKDOWNS`
  leaves it out, the pages do not show it): ``sex = sum(sex, age)`` over ages and
  ``age = sum(sex, age)`` over sexes; a sex-by-age part with no figure is unknown, not zero. The
  explorer, which shows sex by age, decides with :data:`VIEW_BREAKDOWNS` on top of the pages'
  decision (``base``): page facts keep the pages' statuses and only sex-by-age facts are hidden
  to protect them, so the pages hide nothing more and each fact reads the same everywhere;
* **regional sums**: a regional figure that is the sum of its members' figures (source
  ``sum of members (S)``) equals the sum of the figures of the members it covers, when each
  member's published fact is of that source ``S``. Without it a member's hidden count would be
  the regional sum minus the other members' published counts whenever it is the only one hidden.

Relations that the source's own figures contradict *together* (each holds on its own) are left
out, those the pages show first (:func:`consistent_relations`): otherwise interval propagation
empties an interval, and an empty interval pins nothing, which would blind the whole decision.

Relations never cross an indicator or a year, so the decision is solved by *component* (one
indicator and year, every member and the region together), lazily, once per process and threshold
(:func:`decision_for`): the same decision whichever page of whichever country-year asks first.

A table adds its own relations on top (:meth:`FactDecision.result`): its cells that show a fact take
the fact's status (hidden ones stay hidden; shown ones are fixed), and the table's own secondary
suppression protects whatever else it shows (cells without a fact). A table whose relations among
facts would need a fact hidden that the decision shows raises
:class:`~corett_lib.publishing.disclosure.DisclosureError`: the relation must then be added here,
never decided table by table.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.analysis.status import is_missing
from corett_lib.core import cache
from corett_lib.core.schema import REGION_CODE
from corett_lib.dataset.digest import frame_digest
from corett_lib.publishing import disclosure

if TYPE_CHECKING:
    import pandas as pd

    from corett_lib.dataset.registry import Registry
    from corett_lib.facts.table import Facts
    from corett_lib.publishing.publish import TableModel

#: Joins the parts of a fact key (the same separator as :mod:`corett_lib.publishing.linked`).
FACT_SEPARATOR = "|"

#: Separator of the sex and the age in a ``sex_age`` category (``Female, 0 to 17 years``).
SEX_AGE_SEPARATOR = ", "

#: Source prefix of a regional figure that is a sum of members' figures.
SUM_OF_MEMBERS = "sum of members"

#: The breakdowns the pages publish (besides the total): the annual report and infographic (sex,
#: age, form, citizenship), the SDG page (sex, age, form). ``sex_age`` is shown by the explorer and
#: ``corett indicators`` only; pass it to :class:`FactDecision` to decide it with the pages.
PAGE_BREAKDOWNS: frozenset[str] = frozenset({"sex", "age", "form", "citizenship"})

#: The breakdowns the explorer publishes: the pages' and sex by age. Its decision
#: (``decision_for(facts, k, breakdowns=VIEW_BREAKDOWNS)``) takes every page fact's status from the
#: pages' decision and decides the sex-by-age facts on top, so that no hidden sex or age count can
#: be added up from its sex-by-age parts and the pages hide nothing more.
VIEW_BREAKDOWNS: frozenset[str] = PAGE_BREAKDOWNS | {"sex_age"}


def fact_key(iso3: str, year: Any, indicator_id: str, disaggregation: str, category: str) -> str:
    """Return the key of a fact as tables name it (``GTM|2019|victims|sex|Female``).

    Examples
    --------
    >>> fact_key("GTM", 2019, "victims", "total", "Total")
    'GTM|2019|victims|total|Total'
    """
    return FACT_SEPARATOR.join((str(iso3), str(int(year)), indicator_id, disaggregation, category))


#: Status of a rate, share or change computed from a hidden count (as :mod:`~corett_lib.publishing.publish` says).
DERIVED = "derived"

#: An observation's filter that is no breakdown.
_TOTAL = "Total"


def observation_fact(
    registry: Registry,
    iso3: str,
    year: Any,
    indicator: str,
    dimension: str = _TOTAL,
    category: str = _TOTAL,
    sex: str = _TOTAL,
    age: str = _TOTAL,
) -> str | None:
    """Return the key of the count fact an observation's figure is, or None.

    The count indicator is the one whose numerator is ``indicator`` with no filter
    (``Detected trafficking victims`` -> ``victims``); the disaggregation is the registry's that
    selects the observation's filters (``sex`` for ``sex=Female``, ``sex_age`` for both, ``form``
    for the ``by form of exploitation`` dimension). A derived category (citizenship) and a cross
    the registry does not publish (form by age) have no fact.

    Examples
    --------
    >>> from corett_lib.dataset.registry import load_registry
    >>> reg = load_registry()
    >>> observation_fact(reg, "NIC", 2019, "Detected trafficking victims")
    'NIC|2019|victims|total|Total'
    >>> observation_fact(reg, "GTM", 2019, "Persons convicted", sex="Female", age="0 to 17 years")
    'GTM|2019|convicted|sex_age|Female, 0 to 17 years'
    >>> observation_fact(reg, "GTM", 2019, "Persons brought into formal contact with the police")
    """
    plain = (_TOTAL, _TOTAL, _TOTAL, _TOTAL)
    ind = next(
        (
            i
            for i in registry.indicators
            if i.kind == "count"
            and len(i.numerators) >= 1
            and i.numerators[0].indicator == indicator
            and (i.numerators[0].dimension, i.numerators[0].category) == plain[:2]
            and (i.numerators[0].sex, i.numerators[0].age) == plain[2:]
        ),
        None,
    )
    if ind is None:
        return None
    found: tuple[str, str] | None = None
    if dimension == _TOTAL and category == _TOTAL:
        if sex == _TOTAL and age == _TOTAL:
            found = ("total", _TOTAL)
        elif age == _TOTAL:
            found = ("sex", sex)
        elif sex == _TOTAL:
            found = ("age", age)
        else:
            found = ("sex_age", f"{sex}{SEX_AGE_SEPARATOR}{age}")
    elif sex == _TOTAL and age == _TOTAL:
        found = next(
            (
                (d_id, category)
                for d_id, d in registry.disaggregations.items()
                if d.dimension == dimension and d.derive is None
            ),
            None,
        )
    if found is None or found[0] not in ind.disaggregations:
        return None
    d = registry.disaggregations.get(found[0])
    if d is not None and ((d.sex and sex not in d.sex) or (d.age and age not in d.age)):
        return None
    return fact_key(iso3, year, ind.id, *found)


def indicator_fact(
    registry: Registry,
    indicator_id: str,
    iso3: str,
    year: Any,
    disaggregation: str = "total",
    category: str = _TOTAL,
) -> str | None:
    """Return the count fact behind an indicator's figure (the persons a table shows with it), or None.

    A count is its own fact; a ratio's persons are its numerator (``victims_rate`` ->
    ``victims|total``; ``women_girls_share`` -> ``victims|sex|Female``), with the disaggregation's
    category in place of the numerator's filter (``convictions_per_prosecution`` by sex ``Male`` ->
    ``convicted|sex|Male``); a change or growth's are those of the indicator it follows (``of``).

    Examples
    --------
    >>> from corett_lib.dataset.registry import load_registry
    >>> reg = load_registry()
    >>> indicator_fact(reg, "victims_rate", "NIC", 2019)
    'NIC|2019|victims|total|Total'
    >>> indicator_fact(reg, "minors_share", "NIC", 2019)
    'NIC|2019|victims|age|0 to 17 years'
    >>> indicator_fact(reg, "minors_share", "NIC", 2019, "sex", "Female")
    'NIC|2019|victims|sex_age|Female, 0 to 17 years'
    >>> indicator_fact(reg, "convicted_change", "DOM", 2019)
    'DOM|2019|convicted|total|Total'
    """
    seen: set[str] = set()
    while indicator_id not in seen:
        seen.add(indicator_id)
        try:
            ind = registry.get(indicator_id)
        except KeyError:
            return None
        if ind.kind == "count":
            return fact_key(iso3, year, ind.id, disaggregation, category)
        if ind.kind == "ratio":
            if len(ind.numerators) != 1 or ind.numerators[0].indicator is None:
                return None  # alternatives: which one a figure took is not known here
            return _selector_fact(registry, ind.numerators[0], iso3, year, disaggregation, category)
        if ind.of is None:
            return None
        indicator_id = ind.of
    return None


def denominator_fact(
    registry: Registry,
    indicator_id: str,
    iso3: str,
    year: Any,
    disaggregation: str = "total",
    category: str = _TOTAL,
) -> str | None:
    """Return the count fact a ratio's denominator or a change's base figure is, or None.

    A ratio's denominator is a fact when it is a count (not the population): ``minors_share`` ->
    ``victims|total``. A change's base is the figure of the year before (a growth's, ``window``
    years before) of the indicator it follows.

    Examples
    --------
    >>> from corett_lib.dataset.registry import load_registry
    >>> reg = load_registry()
    >>> denominator_fact(reg, "convictions_per_prosecution", "DOM", 2019)
    'DOM|2019|prosecuted|total|Total'
    >>> denominator_fact(reg, "victims_change", "NIC", 2019)
    'NIC|2018|victims|total|Total'
    >>> denominator_fact(reg, "victims_rate", "NIC", 2019) is None
    True
    """
    try:
        ind = registry.get(indicator_id)
    except KeyError:
        return None
    if ind.kind == "ratio":
        sel = ind.denominator
        if sel is None or sel.is_population:
            return None
        return _selector_fact(registry, sel, iso3, year, disaggregation, category)
    if ind.kind in ("change", "cagr") and ind.of is not None:
        w = 1 if ind.kind == "change" else (ind.window or registry.defaults.trend_window)
        return indicator_fact(registry, ind.of, iso3, int(year) - int(w), disaggregation, category)
    return None


def _selector_fact(
    registry: Registry, sel: Any, iso3: str, year: Any, disaggregation: str, category: str
) -> str | None:
    """Return the fact a selector takes, the disaggregation's category in place of its filter."""
    dim, cat, sex, age = sel.dimension, sel.category, sel.sex, sel.age
    if disaggregation != "total":
        d = registry.disaggregations.get(disaggregation)
        if d is None or d.derive is not None:
            return None
        if d.dimension:
            dim, cat = d.dimension, category
        elif d.sex and d.age:
            sex, _, age = category.partition(SEX_AGE_SEPARATOR)
        elif d.sex:
            sex = category
        else:
            age = category
    return observation_fact(registry, iso3, year, str(sel.indicator), dim, cat, sex, age)


def fact_cell(row: Mapping[str, Any]) -> disclosure.Cell:
    """Return the count a fact row shows, as every page shows it.

    A sum that includes censored counts (flag ``range``) is its bounds; a censored count is ``<5``
    (1 to 4); otherwise the value (missing when there is none). This is
    :func:`corett_lib.reporting.fact_notes.count_cell` on the stored fact table.
    """
    flags = str(row.get("flags") or "").split(";")
    low, high = row.get("lower"), row.get("upper")
    if "range" in flags:
        if low is None or high is None or is_missing(low) or is_missing(high):
            return disclosure.Cell.absent()
        return disclosure.Cell.bounded(float(low), float(high))
    if bool(row.get("censored")):
        return disclosure.parse_count("<5")
    return disclosure.parse_count(row.get("value"))


@dataclass
class _Component:
    """The decision for one indicator and year (every country)."""

    cells: dict[str, disclosure.Cell]
    status: dict[Hashable, disclosure.Status]
    bounds: dict[Hashable, tuple[float, float]]
    relations: list[disclosure.Relation]
    #: Relations left out because the source's figures contradict them together with the others.
    dropped: list[disclosure.Relation] = field(default_factory=list)


def component_model(
    rows: pd.DataFrame, breakdowns: Collection[str] = PAGE_BREAKDOWNS
) -> tuple[dict[str, disclosure.Cell], list[disclosure.Relation]]:
    """Return the cells (fact key -> count) and relations of one indicator and year.

    Parameters
    ----------
    rows
        Fact rows (:data:`corett_lib.facts.table.FACT_COLUMNS`) of one count indicator and year,
        every country (the region is :data:`~corett_lib.core.schema.REGION_CODE`); rows without a
        figure are left out (pages do not show them).
    breakdowns
        The disaggregations that are published (with ``total``): a fact nobody reads neither
        needs protection nor helps a reader, so other breakdowns are left out.
    """
    cells: dict[str, disclosure.Cell] = {}
    meta: dict[str, tuple[str, str, str, str, str, str]] = {}
    for rec in rows.to_dict("records"):
        if rec["disaggregation"] != "total" and rec["disaggregation"] not in breakdowns:
            continue
        cell = fact_cell(rec)
        if cell.missing:
            continue
        key = fact_key(
            rec["iso3"], rec["year"], rec["indicator_id"], rec["disaggregation"], rec["category"]
        )
        cells[key] = cell
        meta[key] = (
            str(rec["iso3"]),
            str(rec["disaggregation"]),
            str(rec["category"]),
            str(rec.get("source") or ""),
            str(rec.get("member_sources") or ""),
            str(rec.get("coverage_members") or ""),
        )
    by_country: dict[str, dict[tuple[str, str], str]] = {}
    for key, (iso3, d, c, *_) in meta.items():
        by_country.setdefault(iso3, {})[(d, c)] = key
    relations: list[disclosure.Relation] = []
    for iso3, facts in by_country.items():
        total = facts.get(("total", "Total"))
        groups: dict[str, list[str]] = {}
        for (d, _), key in facts.items():
            if d != "total":
                groups.setdefault(d, []).append(key)
        cross = [(c, key) for (d, c), key in facts.items() if d == "sex_age"]
        pairs = [tuple(sc.split(SEX_AGE_SEPARATOR, 1)) for sc, _ in cross]
        grid = {dim: {c for (d, c) in facts if d == dim} for dim in ("sex", "age")}
        for pair in pairs:
            if len(pair) == 2:
                grid["sex"].add(pair[0])
                grid["age"].add(pair[1])
        prefix = FACT_SEPARATOR.join(
            (iso3, str(rows["year"].iat[0]), str(rows["indicator_id"].iat[0]))
        )
        if total is not None:
            for d, parts in groups.items():
                name = f"{iso3}:total={d}"
                if d == "sex_age" and len(set(pairs)) < len(grid["sex"]) * len(grid["age"]):
                    parts = _unknown_part(cells, prefix, name, total, parts)
                relations.append(disclosure.Relation(total, tuple(parts), name))
        for dim, pos in (("sex", 0), ("age", 1)):
            other = grid["age" if dim == "sex" else "sex"]
            for (d, c), key in list(facts.items()):
                if d != dim:
                    continue
                parts = [
                    k
                    for (sc, k), pair in zip(cross, pairs, strict=True)
                    if len(pair) == 2 and pair[pos] == c
                ]
                if parts:
                    name = f"{iso3}:{dim}={c}:sex_age"
                    if len(parts) < len(other):
                        parts = _unknown_part(cells, prefix, name, key, parts)
                    relations.append(disclosure.Relation(key, tuple(parts), name))
    region = by_country.get(REGION_CODE, {})
    for (d, c), key in region.items():
        _, _, _, source, member_source, covered = meta[key]
        if not source.startswith(SUM_OF_MEMBERS) or not covered:
            continue
        parts = []
        for iso3 in covered.split(","):
            part = by_country.get(iso3.strip(), {}).get((d, c))
            if part is None or meta[part][3] != member_source:
                parts = []  # a member's part is not its published fact: no relation among facts
                break
            parts.append(part)
        if parts:
            relations.append(disclosure.Relation(key, tuple(parts), f"{REGION_CODE}:{d}={c}:sum"))
    return cells, sorted(relations, key=_tier)


#: Marks the key of a relation's part that has no figure (sex-by-age parts no source reports).
NO_FIGURE = "no figure"


def _unknown_part(
    cells: dict[str, disclosure.Cell], prefix: str, name: str, total: str, parts: list[str]
) -> list[str]:
    """Return ``parts`` with a part that has no figure, added to ``cells``.

    A sex-by-age count with no figure shows "–": unknown, not zero. A relation whose parts leave
    out a sex or an age the country publishes gets this part. It holds what the others leave when
    that is known (:meth:`FactDecision.component` protects it when small, as a remainder is), else
    nothing (0 to infinity).
    """
    key = FACT_SEPARATOR.join((prefix, NO_FIGURE, name))
    known = [cells[total], *(cells[p] for p in parts)]
    gap = None
    if all(c.value is not None for c in known):
        gap = float(known[0].value or 0.0) - sum(float(c.value or 0.0) for c in known[1:])
    cells[key] = (
        disclosure.Cell.exact(gap) if gap is not None and gap >= 0 else disclosure.Cell.absent()
    )
    return [*parts, key]


#: Breakdowns pages show as a table with its total (their relations are kept first).
SHOWN_BREAKDOWNS: tuple[str, ...] = ("sex", "age", "citizenship", "form")


def _tier(rel: disclosure.Relation) -> int:
    """Order of the relations: those tables show, then other breakdowns, regional sums, sex by age."""
    name = rel.name
    if name.endswith(":sex_age") and ":total=" not in name:
        return 3
    if name.endswith(":sum"):
        return 2
    return 0 if name.split("=", 1)[-1] in SHOWN_BREAKDOWNS else 1


def _remainder_start(
    rel: disclosure.Relation, cells: Mapping[Hashable, disclosure.Cell]
) -> tuple[float, float] | None:
    """Return the start bounds of a relation's remainder, as :func:`disclosure.suppress` reads it.

    None when the source's figures do not contradict the relation on their own.
    """
    total, parts = cells[rel.total], [cells[p] for p in rel.parts]
    if total.value is not None and all(p.value is not None for p in parts):
        gap = total.value - sum(p.value for p in parts if p.value is not None)
        if abs(gap) <= 1e-9:
            return None
        return (0.0 if gap >= 0 else -disclosure.INF, disclosure.INF)
    if total.low > sum(p.high for p in parts):
        return (0.0, disclosure.INF)
    if total.high < sum(p.low for p in parts):
        return (-disclosure.INF, disclosure.INF)
    return None


def _narrow(
    bounds: dict[Hashable, tuple[float, float]], total: Hashable, parts: Sequence[Hashable]
) -> list[Hashable]:
    """Narrow the members of ``total = sum(parts)`` in place; return the keys that changed.

    The arithmetic of :func:`corett_lib.publishing.disclosure.propagate`, for one relation.
    """
    keys = [total, *parts]
    lows = [bounds[k][0] for k in keys]
    highs = [bounds[k][1] for k in keys]
    changed = []
    for i, key in enumerate(keys):
        if i == 0:  # total = sum(parts)
            lo = sum(lows[1:])
            hi = sum(highs[1:])
        else:  # part = total - other parts
            lo = lows[0] - sum(h for j, h in enumerate(highs) if j not in (0, i))
            hi = highs[0] - sum(v for j, v in enumerate(lows) if j not in (0, i))
        k_lo, k_hi = bounds[key]
        new_lo = max(k_lo, math.ceil(lo - 1e-9)) if math.isfinite(lo) else k_lo
        new_hi = min(k_hi, math.floor(hi + 1e-9)) if math.isfinite(hi) else k_hi
        if (new_lo, new_hi) != (k_lo, k_hi):
            bounds[key] = (new_lo, new_hi)
            lows[i], highs[i] = new_lo, new_hi
            changed.append(key)
    return changed


def _settle(
    bounds: dict[Hashable, tuple[float, float]],
    members: Sequence[tuple[Hashable, Sequence[Hashable]]],
    of_cell: Mapping[Hashable, Sequence[int]],
    first: int,
) -> bool:
    """Propagate from relation ``first`` (the others are settled) in place; False when it empties."""
    queue, queued = [first], {first}
    budget = disclosure.MAX_ROUNDS * max(len(members), 1)
    while queue and budget > 0:
        budget -= 1
        r = queue.pop()
        queued.discard(r)
        total, parts = members[r]
        for key in _narrow(bounds, total, parts):
            lo, hi = bounds[key]
            if lo > hi:
                return False
            for other in of_cell.get(key, ()):
                if other not in queued:
                    queued.add(other)
                    queue.append(other)
    return True


def consistent_relations(
    cells: Mapping[Hashable, disclosure.Cell], relations: Sequence[disclosure.Relation]
) -> tuple[list[disclosure.Relation], list[disclosure.Relation]]:
    """Return the relations the source's own figures satisfy together, and those left out.

    Each relation on its own is read as :func:`disclosure.suppress` reads it (with a remainder when
    the figures contradict it). Several relations that hold one by one can still contradict each
    other (a sex breakdown and a sex-by-age breakdown of censored counts that cannot both add up to
    the total): interval propagation then empties an interval, and an empty interval pins nothing,
    which would blind the whole decision. Relations are added in order (those tables show first),
    and one that would make the figures contradictory is left out: a reader combining it with the
    others reaches a contradiction too, not a count.
    """
    current: dict[Hashable, tuple[float, float]] = disclosure.propagate(
        {k: (c.low, c.high) for k, c in cells.items()}, []
    )
    kept: list[disclosure.Relation] = []
    members: list[tuple[Hashable, list[Hashable]]] = []
    of_cell: dict[Hashable, list[int]] = {}
    dropped: list[disclosure.Relation] = []
    for i, rel in enumerate(relations):
        parts: list[Hashable] = list(rel.parts)
        remainder = _remainder_start(rel, cells)
        trial = dict(current)
        if remainder is not None:
            trial[("__remainder__", i)] = remainder
            parts.append(("__remainder__", i))
        members.append((rel.total, parts))
        j = len(members) - 1
        for key in (rel.total, *parts):
            of_cell.setdefault(key, []).append(j)
        if _settle(trial, members, of_cell, j):
            kept.append(rel)
            current = trial
        else:
            dropped.append(rel)
            members.pop()
            for key in (rel.total, *parts):
                of_cell[key].pop()
    return kept, dropped


@dataclass
class FactDecision:
    """Primary and complementary suppression of the published facts, decided once per threshold.

    Parameters
    ----------
    table
        The fact table (:attr:`corett_lib.facts.table.Facts.table`).
    counts
        The indicator ids that are counts of people (registry ``kind: count``).
    k
        The threshold (``disclosure_k``).
    members
        The coalition's members.
    breakdowns
        The published disaggregations (:data:`PAGE_BREAKDOWNS`).
    base
        A decision with fewer breakdowns whose statuses this one keeps (the pages' decision, for
        the explorer's :data:`VIEW_BREAKDOWNS`): a fact it hides stays hidden with its status, a
        fact it shows is never hidden here, and only the facts it does not decide (sex by age)
        are suppressed to protect them. None: decided from scratch.
    """

    table: pd.DataFrame
    counts: frozenset[str]
    k: int
    members: tuple[str, ...] = ()
    breakdowns: frozenset[str] = PAGE_BREAKDOWNS
    base: FactDecision | None = None
    _index: dict[tuple[int, str], Any] = field(default_factory=dict, init=False, repr=False)
    _solved: dict[tuple[int, str], _Component] = field(default_factory=dict, init=False, repr=False)
    _sources: dict[tuple[int, str], dict[str, tuple[str, ...]]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: ``(table id, fact)`` of cells shown otherwise than their fact (none on the shipped pages).
    mismatches: list[tuple[str, str]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        t = self.table
        mask = t["indicator_id"].isin(sorted(self.counts)).to_numpy()
        years = t["year"].to_numpy()
        inds = t["indicator_id"].to_numpy()
        index: dict[tuple[int, str], list[int]] = {}
        for pos in mask.nonzero()[0]:
            index.setdefault((int(years[pos]), str(inds[pos])), []).append(int(pos))
        self._index = index

    def component(self, year: int, indicator_id: str) -> _Component | None:
        """Return the decision of one indicator and year (solved on first use), or None."""
        ck = (int(year), indicator_id)
        if ck in self._solved:
            return self._solved[ck]
        positions = self._index.get(ck)
        if positions is None:
            return None
        cells, relations = component_model(self.table.iloc[positions], self.breakdowns)
        problem: dict[Hashable, disclosure.Cell] = {k: c for k, c in cells.items()}
        kept, dropped = consistent_relations(problem, relations)
        preset: dict[Hashable, disclosure.Status] = {}
        fixed: set[Hashable] = set()
        if self.base is not None:
            preset, fixed = self._keep_base(problem, kept)
        for key, cell in problem.items():
            if f"{FACT_SEPARATOR}{NO_FIGURE}{FACT_SEPARATOR}" not in str(key) or cell.missing:
                continue
            if disclosure.is_small(cell, self.k):
                preset[key] = disclosure.WITHHELD  # unpublished, and derivable: protected
            else:
                problem[key] = disclosure.Cell.absent()
            fixed.discard(key)
        try:
            result = disclosure.suppress(problem, kept, k=self.k, fixed=fixed, preset=preset)
        except disclosure.DisclosureError:
            if self.base is None:
                raise
            # The greedy choice cannot protect a page fact with the facts it may still hide:
            # withhold every sex-by-age fact it may hide (no figure, no bounds) and decide again.
            for key, cell in problem.items():
                if key not in fixed and not cell.missing:
                    preset[key] = disclosure.WITHHELD
            result = disclosure.suppress(problem, kept, k=self.k, fixed=fixed, preset=preset)
        comp = _Component(cells, result.status, result.bounds, kept, dropped)
        self._solved[ck] = comp
        return comp

    def _keep_base(
        self, cells: Mapping[Hashable, disclosure.Cell], relations: Sequence[disclosure.Relation]
    ) -> tuple[dict[Hashable, disclosure.Status], set[Hashable]]:
        """Return the statuses :attr:`base` decided and the cells that must stay shown.

        A fact the base decides keeps its status: shown stays shown, hidden stays hidden with the
        same status (never withheld here, so it reads the same on every page). A fact it does not decide
        (sex by age) that the base's published figures already pin through ``relations`` (the
        only age of a sex, given the sex's count) is as good as published: it is fixed too, so
        that complementary suppression chooses a cell that can protect something.
        """
        assert self.base is not None
        preset: dict[Hashable, disclosure.Status] = {}
        start: dict[Hashable, tuple[float, float]] = {}
        for key, cell in cells.items():
            decided = self.base.status(str(key))
            if decided is None:
                start[key] = (0.0, disclosure.INF)
                continue
            preset[key] = decided
            known = self.base.bounds(str(key))
            start[key] = (cell.low, cell.high) if not decided or known is None else known
        fixed: set[Hashable] = set(preset)  # a page fact reads as the pages read it
        members: list[tuple[Hashable, list[Hashable]]] = []
        for i, rel in enumerate(relations):
            parts: list[Hashable] = list(rel.parts)
            remainder = _remainder_start(rel, cells)
            if remainder is not None:  # read as disclosure.suppress reads it
                start[("__remainder__", i)] = remainder
                parts.append(("__remainder__", i))
            members.append((rel.total, parts))
        bounds = disclosure.propagate(start, members)
        for key in disclosure.pinned(bounds, bounds):
            if key in cells and key not in preset and not cells[key].missing:
                fixed.add(key)
        return preset, fixed

    def _lookup(self, key: str) -> tuple[_Component | None, str]:
        parts = key.split(FACT_SEPARATOR)
        if len(parts) < 5 or not parts[1].isdigit():
            return None, key
        comp = self.component(int(parts[1]), parts[2])
        if comp is None or key not in comp.cells:
            return None, key
        return comp, key

    def status(self, key: str) -> disclosure.Status | None:
        """Return the status of the fact ``key``, or None when it is not a count fact with a figure.

        ``""`` (shown), ``"primary"`` (small), ``"complementary"`` (hidden so that a small one
        cannot be derived) or ``"withheld"``.
        """
        comp, key = self._lookup(key)
        return None if comp is None else comp.status[key]

    def figure(self, key: str) -> disclosure.Cell | None:
        """Return the count the fact ``key`` shows (:func:`fact_cell`), or None when not decided."""
        comp, key = self._lookup(key)
        return None if comp is None else comp.cells[key]

    def sources(self, key: str) -> tuple[str, ...]:
        """Return the sources of the fact ``key`` (``UNODC / CORETT`` -> both), or () when not decided."""
        comp, key = self._lookup(key)
        if comp is None:
            return ()
        _, year, ind, _, _ = key.split(FACT_SEPARATOR, 4)
        ck = (int(year), ind)
        found = self._sources.get(ck)
        if found is None:  # once per indicator and year
            rows = self.table.iloc[self._index[ck]]
            cols = ["iso3", "year", "indicator_id", "disaggregation", "category", "source"]
            found = {
                fact_key(*values[:5]): tuple(x.strip() for x in str(values[5]).split(" / "))
                for values in rows[cols].itertuples(index=False, name=None)
            }
            self._sources[ck] = found
        return found.get(key, ())

    def shows(self, key: str, value: Any) -> bool:
        """Return True when ``value`` (as a table shows it) is the count the fact ``key`` shows."""
        theirs, mine = self.figure(key), disclosure.parse_count(value)
        if theirs is None or mine.missing:
            return False
        return (mine.low, mine.high, mine.value) == (theirs.low, theirs.high, theirs.value)

    def bounds(self, key: str) -> tuple[float, float] | None:
        """Return what a reader can derive about the fact ``key`` from every published fact."""
        comp, key = self._lookup(key)
        return None if comp is None else comp.bounds[key]

    def components(self) -> Iterator[tuple[int, str, _Component]]:
        """Yield every indicator and year with its decision, each solved when first reached."""
        for year, indicator_id in sorted(self._index):
            comp = self.component(year, indicator_id)
            if comp is not None:
                yield year, indicator_id, comp

    def every_fact(self) -> Iterator[tuple[str, disclosure.Status, tuple[float, float] | None]]:
        """Yield each count fact's key, status and bounds, every indicator and year solved."""
        for _year, _indicator_id, comp in self.components():
            for key in comp.cells:
                yield str(key), comp.status.get(key, ""), comp.bounds.get(key)

    def hidden(self, keys: Iterable[str]) -> dict[str, disclosure.Status]:
        """Return the facts among ``keys`` the decision hides, with why."""
        out: dict[str, disclosure.Status] = {}
        for key in keys:
            st = self.status(key)
            if st:
                out[key] = st
        return out

    def facts(self, table_id: str) -> dict[tuple[int, str], str]:
        """Return no registered facts: a table names its facts when it is published."""
        del table_id
        return {}

    def result(
        self,
        table_id: str,
        cells: Mapping[Hashable, Any] | None = None,
        *,
        model: TableModel | None = None,
    ) -> disclosure.Suppression:
        """Return the suppression of one table under the country-year decision.

        Cells that show a fact take its status (hidden stays hidden, shown is fixed); the table's
        own relations then protect its other cells (the table's own secondary suppression).

        Raises
        ------
        ValueError
            No table model is given.
        corett_lib.publishing.disclosure.DisclosureError
            The table's relations would need a fact hidden that the decision shows.
        """
        if model is None:
            raise ValueError(f"table {table_id!r}: the fact decision needs the table's model")
        cells = model.cells if cells is None else cells
        preset: dict[Hashable, disclosure.Status] = {}
        fixed = set(model.fixed)
        for cell_key, fact in model.facts.items():
            if cell_key not in cells:
                continue
            comp, _ = self._lookup(fact)
            if comp is None:
                continue
            mine, theirs = disclosure.parse_count(cells[cell_key]), comp.cells[fact]
            if mine.missing:
                continue  # the table shows no figure for the fact (e.g. one it withholds)
            same = (mine.low, mine.high, mine.value) == (theirs.low, theirs.high, theirs.value)
            if not same:
                # Shown otherwise than the fact (a range shown as <5): hidden if the fact is, else
                # left to the table; recorded so a test or a build can say so.
                self.mismatches.append((table_id, fact))
            preset[cell_key] = comp.status[fact]
            if not comp.status[fact] and same:
                fixed.add(cell_key)
        try:
            return disclosure.suppress(
                cells,
                model.relations,
                k=self.k,
                suppress_zeros=model.suppress_zeros,
                fixed=fixed,
                on_unprotectable=model.on_unprotectable,
                preset=preset,
            )
        except disclosure.DisclosureError as exc:
            raise disclosure.DisclosureError(
                f"table {table_id!r}: {exc} (a relation among facts that the country-year "
                "decision does not know; add it to corett_lib.publishing.fact_disclosure)"
            ) from exc


_DECISIONS: dict[tuple[int, int, frozenset[str]], tuple[Any, FactDecision]] = {}


def decision_for(
    facts: Facts,
    k: int,
    breakdowns: frozenset[str] = PAGE_BREAKDOWNS,
    stored: str | os.PathLike[str] = "",
) -> FactDecision:
    """Return the disclosure decision of ``facts`` at threshold ``k`` (one per facts and k per process).

    Every section of every report a kernel runs gets the same object, so each indicator and year
    is solved once per process, and always the same way. With other ``breakdowns`` than the pages'
    (the explorer's :data:`VIEW_BREAKDOWNS`) the decision keeps the pages' statuses (``base``) and
    decides only the other facts. ``stored``: the build's snapshot, beside which the build wrote the
    solved pages' decision (:func:`write_decision`); when it fits these facts and ``k`` it is taken
    as it is instead of being solved again in this process.
    """
    breakdowns = frozenset(breakdowns)
    key = (id(facts), int(k), breakdowns)
    found = _DECISIONS.get(key)
    if found is None or found[0] is not facts:
        if found is None and any(owner is not facts for owner, _ in _DECISIONS.values()):
            _DECISIONS.clear()  # one build's facts at a time
        base = None if breakdowns == PAGE_BREAKDOWNS else decision_for(facts, k, stored=stored)
        counts = frozenset(i.id for i in facts.registry.indicators if i.kind == "count")
        decision = FactDecision(
            facts.table, counts, int(k), tuple(facts.members), breakdowns=breakdowns, base=base
        )
        if stored and breakdowns == PAGE_BREAKDOWNS:
            decision._solved.update(read_decision(decision, stored))
        _DECISIONS[key] = (facts, decision)
        return decision
    return found[1]


#: Version of the stored decision (:func:`write_decision`); another is not read.
DECISION_FORMAT = 1


def _decision_entry(snapshot: str | os.PathLike[str]) -> tuple[cache.Store, str, str]:
    return cache.beside(snapshot, "decision")


def write_decision(facts: Facts, k: int, snapshot: str | os.PathLike[str]) -> Path | None:
    """Solve the pages' decision of ``facts`` at ``k`` and store it beside the build's snapshot.

    The report kernels then take it as it is (:func:`decision_for` with ``stored``) instead of each
    solving it again. The entry is JSON (cells, statuses, bounds and relations of every indicator
    and year), with the facts' table digest and ``k``, so a decision is never applied to other facts;
    None when it cannot be written (a kernel then solves what it needs).
    """
    components = []
    for year, indicator_id, comp in decision_for(facts, k).components():
        keys = [*comp.cells, *comp.status, *comp.bounds]
        keys += [m for r in (*comp.relations, *comp.dropped) for m in (r.total, *r.parts)]
        if not all(isinstance(m, str) for m in keys):
            return None  # only fact keys are stored; anything else is solved where it is used
        components.append(
            {
                "year": year,
                "indicator_id": indicator_id,
                "cells": [[m, c.value, c.low, c.high] for m, c in comp.cells.items()],
                "status": [[m, st] for m, st in comp.status.items()],
                "bounds": [[m, lo, hi] for m, (lo, hi) in comp.bounds.items()],
                "relations": [[r.total, list(r.parts), r.name] for r in comp.relations],
                "dropped": [[r.total, list(r.parts), r.name] for r in comp.dropped],
            }
        )
    store, key, prefix = _decision_entry(snapshot)
    meta = {
        "format": DECISION_FORMAT,
        "k": int(k),
        "facts": _facts_digest(facts),
        "components": components,
    }
    return store.put(key, meta=meta, prefix=prefix)


def read_decision(
    decision: FactDecision, snapshot: str | os.PathLike[str]
) -> dict[tuple[int, str], _Component]:
    """Return the solved components stored beside ``snapshot`` for ``decision``'s facts and ``k``.

    Empty when there is none, it fails its integrity check (it is then removed, as the chart and
    PNG caches remove theirs), or it was solved for other facts or another threshold: the decision
    then solves each component when first needed.
    """
    store, key, prefix = _decision_entry(snapshot)
    with warnings.catch_warnings():  # a damaged entry is removed, and the decision solved here
        warnings.simplefilter("ignore", cache.CacheWarning)
        entry = store.get(key, prefix=prefix, tables=False)
    meta = entry.meta if entry is not None else None
    if not (
        isinstance(meta, dict)
        and meta.get("format") == DECISION_FORMAT
        and meta.get("k") == decision.k
        and meta.get("facts") == _facts_digest_of(decision.table)
    ):
        return {}
    out: dict[tuple[int, str], _Component] = {}
    for c in meta["components"]:
        out[(int(c["year"]), str(c["indicator_id"]))] = _Component(
            cells={m: disclosure.Cell(v, lo, hi) for m, v, lo, hi in c["cells"]},
            status={m: st for m, st in c["status"]},
            bounds={m: (lo, hi) for m, lo, hi in c["bounds"]},
            relations=[disclosure.Relation(t, tuple(p), n) for t, p, n in c["relations"]],
            dropped=[disclosure.Relation(t, tuple(p), n) for t, p, n in c["dropped"]],
        )
    return out


def _facts_digest(facts: Facts) -> str:
    return _facts_digest_of(facts.table)


_TABLE_DIGESTS: dict[int, tuple[Any, str]] = {}


def _facts_digest_of(table: pd.DataFrame) -> str:
    """Return :func:`~corett_lib.dataset.digest.frame_digest` of a fact table, once per table object."""
    found = _TABLE_DIGESTS.get(id(table))
    if found is not None and found[0] is table:
        return found[1]
    value = frame_digest(table)
    _TABLE_DIGESTS.clear()  # one build's facts at a time
    _TABLE_DIGESTS[id(table)] = (table, value)
    return value


def decision_digests(facts: Facts, k: int) -> dict[str, str]:
    """Return, per country code of the fact keys, a sha256 of the statuses the decision gives its facts.

    Every indicator and year is solved (:func:`decision_for`; about 0.3 s for the shipped facts). A
    change to one member's figures can change another member's statuses (the regional sums tie them
    together), so the build keys each report on its country's digest too
    (:func:`corett_lib.batch.build.disclosure_digests`): a page whose facts are now shown or hidden
    otherwise is rebuilt, one whose statuses did not change is left alone. Only statuses count:
    pages show a hidden fact as ``<5`` or "suppressed", never the interval a reader could derive
    for it, and a shown fact's figure is its country's own data. The digests are keyed by the
    first part of each fact key: a member's code or the region's.
    """
    rows: dict[str, list[tuple[str, str]]] = {}
    for key, status, _bounds in decision_for(facts, k).every_fact():
        rows.setdefault(key.split(FACT_SEPARATOR, 1)[0], []).append((key, str(status)))
    return {
        code: hashlib.sha256(json.dumps(sorted(found)).encode("utf-8")).hexdigest()
        for code, found in rows.items()
    }


def row_statuses(rows: pd.DataFrame, facts: Facts, k: int) -> list[str]:
    """Return how the pages publish each figure of an indicator table: a status per row.

    ``rows`` has the fact columns (``iso3``, ``year``, ``indicator_id``, ``disaggregation``,
    ``category``; :func:`corett_lib.facts.view.indicator_table`). A count takes its fact's status
    (:func:`decision_for`): ``""`` shown, ``"primary"``, ``"complementary"`` or ``"withheld"``. A rate,
    share or change is ``"derived"`` (hidden) when a count it is computed from is hidden
    (:func:`indicator_fact`, :func:`denominator_fact`), as on the pages; else ``""``.

    Examples
    --------
    >>> from corett_lib.validation.load import load
    >>> from corett_lib.facts.table import facts_from_dataset
    >>> from corett_lib.facts.view import indicator_table
    >>> f = facts_from_dataset(load())
    >>> t = indicator_table(f, countries=["CRI"], years=[2021], indicators=["victims", "victims_rate"],
    ...                     disaggregations=["total", "sex"])
    >>> list(zip(t["indicator_id"], t["category"], row_statuses(t, f, 5)))  # doctest: +NORMALIZE_WHITESPACE
    [('victims', 'Total', 'complementary'), ('victims', 'Female', 'complementary'),
     ('victims', 'Male', 'primary'), ('victims_rate', 'Total', 'derived'),
     ('victims_rate', 'Female', 'derived'), ('victims_rate', 'Male', 'derived')]
    """
    decision = decision_for(facts, k)
    registry = facts.registry
    out: list[str] = []
    cols = [
        rows[c].tolist() for c in ("iso3", "year", "indicator_id", "disaggregation", "category")
    ]
    for iso3, year, indicator_id, disaggregation, category in zip(*cols, strict=True):
        args = (str(iso3), int(year), str(disaggregation), str(category))
        own = decision.status(fact_key(args[0], args[1], str(indicator_id), args[2], args[3]))
        if own is not None:
            out.append(str(own))
            continue
        behind = [
            found(registry, str(indicator_id), *args)
            for found in (indicator_fact, denominator_fact)
        ]
        hidden = any(key is not None and decision.status(key) for key in behind)
        out.append(DERIVED if hidden else "")
    return out


def facts_for(rows: pd.DataFrame, column: str) -> dict[tuple[int, str], str]:
    """Return the fact each cell of ``column`` shows, for a table whose row ``r`` is fact row ``r``.

    Parameters
    ----------
    rows
        The fact rows (with the columns of :data:`corett_lib.facts.table.FACT_KEY`) the table's
        rows show, in the table's order; a row with no ``iso3`` shows no fact.
    column
        The table's count column.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"iso3": ["GTM"], "year": [2019], "indicator_id": ["victims"],
    ...                      "disaggregation": ["sex"], "category": ["Female"]})
    >>> facts_for(rows, "n")
    {(0, 'n'): 'GTM|2019|victims|sex|Female'}
    """
    out: dict[tuple[int, str], str] = {}
    cols = ["iso3", "year", "indicator_id", "disaggregation", "category"]
    for r, values in enumerate(rows[cols].itertuples(index=False, name=None)):
        if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
            continue
        out[(r, column)] = fact_key(*values)
    return out
