"""Generic rules on facts: a part above its total is flagged, and nothing is computed from it.

The rules read the resolved figures of the engine (internal column names ``ind``, ``disagg``,
``value_low``/``value_high``, ``source_id``, ``coverage_members``) and need no declaration. Which
breakdowns are parts of the total, and when a part is above it, is the one rule of
:mod:`corett_lib.validation.partitions`, which the observations are checked with too (their marks
reach the facts through the engine's ``inconsistent`` column):

* :data:`ADDITIVE` breakdowns (sex, age, sex and age, citizenship): the parts of one indicator,
  country, year and source add up to at most their total. Parts give their floor (their value; a
  censored ``<5`` or a range gives 0, so censoring never raises a false alarm), the total its upper
  bound. When they add up to more, every part of that breakdown is ``inconsistent`` (which one is
  wrong cannot be told).
* :data:`OVERLAPPING` breakdowns (forms of exploitation: a victim can suffer several): each part on
  its own is at most the total.
* A regional sum of members is inconsistent when a member's figure in it is.
* A share or a rate is withheld (:func:`withhold_from_inconsistent`) when its numerator is a part of
  an inconsistent breakdown.

A part is compared with the total of the same source and the same members only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corett_lib.core.schema import REGION_CODE
from corett_lib.dataset.registry import Registry
from corett_lib.validation.partitions import PARTITIONS, above_total, floor, group_codes

#: Breakdowns whose parts add up to the total (the summed partitions).
ADDITIVE: tuple[str, ...] = tuple(p.name for p in PARTITIONS if p.summed)

#: Breakdowns whose parts may overlap: each part is compared with the total on its own.
OVERLAPPING: tuple[str, ...] = tuple(p.name for p in PARTITIONS if not p.summed)

_TOTAL_KEY = ["ind", "iso3", "year", "_src", "_cov"]


def _prepared(r: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    counts = [i.id for i in reg.indicators if i.kind == "count"]
    c = r[r["ind"].isin(counts)].copy()
    c["_src"] = c["source_id"].fillna(c["source"]).astype(str)
    c["_cov"] = c["coverage_members"].fillna("").astype(str)
    # A fact's floor: its value; 0 when censored or a range (its value is empty).
    c["_floor"] = floor(c["value"], c["censored"])
    return c


def inconsistent_facts(r: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    """Return, per row of ``r``, whether the fact is an inconsistent part and why.

    Parameters
    ----------
    r
        The resolved figures (members and region) with internal column names.
    reg
        The registry (which indicators are counts).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``r``: ``inconsistent`` (bool) and ``note`` (``parts_above_total:<breakdown>;``,
        ``part_above_total:form;`` or ``member_inconsistent;``, empty otherwise).

    Examples
    --------
    Honduras 2019 in the UNODC export: Female 79 + Male 9 = 88 against a total of 84.

    >>> from corett_lib.dataset.registry import load_registry
    >>> rows = [("total", "Total", 84.0), ("sex", "Female", 79.0), ("sex", "Male", 9.0)]
    >>> r = pd.DataFrame([{"ind": "victims", "iso3": "HND", "year": 2019, "disagg": d,
    ...     "category": c, "value": v, "value_low": v, "value_high": v, "censored": False,
    ...     "source": "UNODC", "source_id": "UNODC", "coverage_members": "HND"} for d, c, v in rows])
    >>> inconsistent_facts(r, load_registry())["inconsistent"].tolist()
    [False, True, True]
    """
    out = pd.DataFrame({"inconsistent": False, "note": ""}, index=r.index)
    c = _prepared(r, reg)
    group = group_codes(c, _TOTAL_KEY)
    is_total = c["disagg"].eq("total").to_numpy()
    low, high = c["_floor"].to_numpy(float), c["value_high"].to_numpy(float)
    for partition in PARTITIONS:
        parts = c["disagg"].eq(partition.name).to_numpy()
        bad, _ = above_total(group, parts, is_total, low, high, summed=partition.summed)
        if not bad.any():
            continue
        hit = c.index[bad]
        out.loc[hit, "inconsistent"] = True
        word = "parts_above_total" if partition.summed else "part_above_total"
        out.loc[hit, "note"] += f"{word}:{partition.name};"
    # A regional sum that adds up an inconsistent member figure is inconsistent too.
    bad_members = c.loc[
        out.loc[c.index, "inconsistent"].to_numpy(bool) & ~c["iso3"].eq(REGION_CODE)
    ]
    region = c[c["iso3"].eq(REGION_CODE) & c["_cov"].ne("")]
    if len(bad_members) and len(region):
        key = ["ind", "year", "disagg", "category"]
        exploded = region.reset_index()[["index", *key, "_cov", "member_sources"]].assign(
            iso3=lambda x: x["_cov"].str.split(",")
        )
        exploded = exploded.explode("iso3")
        flagged = bad_members[[*key, "iso3", "_src"]].rename(columns={"_src": "member_sources"})
        hit = exploded.merge(flagged, on=[*key, "iso3", "member_sources"], how="inner")["index"]
        hit = hit.drop_duplicates()
        new = hit[~out.loc[hit, "inconsistent"].to_numpy(bool)]
        out.loc[hit, "inconsistent"] = True
        out.loc[new, "note"] += "member_inconsistent;"
    return out


def _partitions(reg: Registry) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Ratio id -> (count id of its numerator, partitions for the total, for the breakdowns)."""
    counts = {
        str(i.numerators[0].indicator): i.id
        for i in reg.indicators
        if i.kind == "count"
        and i.numerators[0].sex == "Total"
        and i.numerators[0].age == "Total"
        and i.numerators[0].category == "Total"
        and i.numerators[0].dimension == "Total"
    }
    out = {}
    for i in reg.indicators:
        if i.kind != "ratio" or i.denominator is None or i.denominator.is_population:
            continue
        sel = i.numerators[0]
        base = counts.get(str(sel.indicator))
        if base is None:
            continue
        own = tuple(p for p, f in (("sex", sel.sex), ("age", sel.age)) if f != "Total")
        if own:
            out[i.id] = (base, own, (*own, "sex_age"))
    return out


def withhold_from_inconsistent(r: pd.DataFrame, reg: Registry) -> np.ndarray:
    """Return a boolean mask of the rows of ``r`` whose value would come from an inconsistent part.

    A share whose numerator is a part (women and girls, minors) is withheld for a country and year
    when that breakdown is inconsistent (the sex breakdown for the share of women and girls; for its
    breakdowns by age, also the sex-by-age one). A rate of a category (16.2.2 by sex, age, form) is
    withheld when the category's count is inconsistent. ``r`` must carry ``f_inconsistent``.
    """
    mask = np.zeros(len(r), bool)
    bad = r[r["f_inconsistent"].to_numpy(bool)]
    if bad.empty:
        return mask
    bad_parts = set(zip(bad["ind"], bad["iso3"], bad["year"], bad["disagg"], strict=True))
    for ratio, (base, for_total, for_breakdowns) in _partitions(reg).items():
        rows = np.flatnonzero(r["ind"].eq(ratio).to_numpy())
        for pos in rows:
            iso3, year, d = r["iso3"].iat[pos], r["year"].iat[pos], r["disagg"].iat[pos]
            parts = for_total if d == "total" else for_breakdowns
            if any((base, iso3, year, p) in bad_parts for p in parts):
                mask[pos] = True
    # Rates of a category: withheld when the category's count is inconsistent.
    key = ["iso3", "year", "disagg", "category"]
    cat_bad = bad[bad["ind"].eq("victims")][key].drop_duplicates().assign(_bad=True)
    rates = r.reset_index(drop=True)
    rates = rates[rates["ind"].eq("victims_rate") & ~rates["disagg"].eq("total")]
    if len(rates):
        m = rates[key].reset_index().merge(cat_bad, on=key, how="inner")["index"]
        mask[m.to_numpy(int)] = True
    return mask
