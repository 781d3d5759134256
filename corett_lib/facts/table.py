"""The published-fact table: every figure a page, download, chart or view shows, computed once.

:func:`build_facts` turns the indicator engine's :class:`~corett_lib.facts.engine.Evaluation` into
one table with one row per fact, and applies the rules every page must read the same way:

* **inconsistent parts** (:mod:`corett_lib.facts.rules`): parts of a breakdown that add up to more
  than their total (or one form of exploitation above the total) are flagged ``inconsistent``; no
  share or rate is computed from them: its value is withheld (``withheld``) with the same flag;
* **regional figures** carry their coverage: ``coverage_n`` of ``coverage_of`` members and which
  (``coverage_members``); a published regional figure and a sum of members are different facts
  (the sum of one source, never a mix of sources);
* **sources side by side**: the chosen source, and in ``other_sources`` every other source's figure
  for the same key (the long form is :attr:`Facts.sources`);
* **SDG 16.2.2 by sex, age and form** (``victims_rate`` with those breakdowns): detected victims of a
  category per 100,000 of the member's total population, withheld when the part is censored or
  inconsistent (the regional breakdown has no rate: its members differ from the total's).
* **no population figure** for a member and year: its counts are published, every rate per 100,000
  of it is withheld (``no_population``, note ``withheld:no_population``), and regional rates are
  summed over the members that have one (their coverage says so).

The table is language-independent: labels (indicator, country, category, unit, flags) are applied by
:func:`corett_lib.facts.view.indicator_table` when a page is rendered.

Schema (:data:`FACT_COLUMNS`, keyed by :data:`FACT_KEY`)
--------------------------------------------------------
``iso3``
    A member's ISO3 code or ``CORETT`` (the region).
``year``, ``indicator_id``, ``disaggregation``, ``category``
    The year, the registry's indicator id, the disaggregation id (``total``, ``sex``, ...) and the
    category as in the observations (``Total``, ``Female``, ``0 to 17 years``, ...).
``value``, ``lower``, ``upper``
    The figure, or its bounds when it is a range (a sum including censored counts: ``value`` empty).
``censored``
    A published ``<5`` (or a ratio from one).
``numerator``, ``denominator``
    The counts behind a ratio (the persons behind a rate, for disclosure control).
``unit``
    The registry's unit (English id, e.g. ``persons``, ``%``).
``source``
    The source shown (``UNODC``, ``CORETT``, ``sum of members (UNODC)``).
``member_sources``
    The source of the members' figures a regional sum adds up.
``other_sources``
    Every other source's figure for the key, ``SOURCE=value`` (or ``low-high``) joined by ``; ``.
``coverage_n``, ``coverage_of``, ``coverage_members``
    Members with a figure, members of the coalition (1 of 1 for a member) and which (comma-joined).
``f_<flag>``
    One boolean per flag of :data:`FACT_FLAGS`.
``flags``
    The flags that are set, ``;``-joined (for people and for the CLI).
``notes``
    Language-independent note codes, ``;``-joined (e.g. ``parts_above_total:sex``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from corett_lib.core.schema import REGION_CODE
from corett_lib.core.tables import finish
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.registry import Registry
from corett_lib.facts.engine import FLAGS, FLAGS_ES, Evaluation, evaluate
from corett_lib.facts.rules import inconsistent_facts, withhold_from_inconsistent

#: Key of the fact table.
FACT_KEY: list[str] = ["iso3", "year", "indicator_id", "disaggregation", "category"]

#: Flags of a fact, in the order they are written to ``flags``, and what each means.
FACT_FLAGS: dict[str, str] = {
    **FLAGS,
    "inconsistent": "parts of this breakdown add up to more than their total (or one part is "
    "above it): which figure is wrong cannot be told; no share or rate is computed from them",
    "withheld": "no value: it would be computed from an inconsistent part",
    "illustrative": "illustrative figure (no public source holds it); labelled on every page",
}

#: Short Spanish labels of the flags.
FACT_FLAGS_ES: dict[str, str] = {
    **FLAGS_ES,
    "inconsistent": "partes por encima del total",
    "withheld": "sin valor: partes incoherentes",
    "illustrative": "ilustrativo",
}

#: Columns of the fact table, in order.
FACT_COLUMNS: list[str] = [
    *FACT_KEY,
    "value",
    "lower",
    "upper",
    "censored",
    "numerator",
    "denominator",
    "unit",
    "source",
    "member_sources",
    "other_sources",
    "coverage_n",
    "coverage_of",
    "coverage_members",
    *[f"f_{f}" for f in FACT_FLAGS],
    "flags",
    "notes",
]

#: Columns of the long table of every source's figure (:attr:`Facts.sources`).
SOURCE_COLUMNS: list[str] = [
    *FACT_KEY,
    "source",
    "chosen",
    "value",
    "lower",
    "upper",
    "censored",
    "coverage_n",
    "coverage_members",
    "difference",
]

#: Disaggregations of 16.2.2 computed as facts (victims of a category per 100,000 population).
RATE_BREAKDOWNS: tuple[str, ...] = ("sex", "age", "form")

#: The fact of SDG indicator 16.2.2 and the count it is built from.
RATE_ID, VICTIMS_ID = "victims_rate", "victims"


@dataclass
class Facts:
    """The published facts of one build.

    Attributes
    ----------
    table
        One row per fact (:data:`FACT_COLUMNS`), sorted by :data:`FACT_KEY`.
    sources
        Every source's figure per fact key (:data:`SOURCE_COLUMNS`), the chosen one marked.
    registry
        The indicator registry the facts were computed with.
    members
        The coalition members of the regional facts.
    """

    table: pd.DataFrame
    sources: pd.DataFrame
    registry: Registry
    members: tuple[str, ...]
    views: dict = field(default_factory=dict, repr=False, compare=False)  #: labelled tables, cached

    def fact(
        self,
        iso3: str,
        year: int,
        indicator_id: str,
        category: str = "Total",
        *,
        disaggregation: str = "total",
    ) -> pd.Series:
        """Return one fact (raises ``KeyError`` when there is none)."""
        t = self.table
        m = (
            t["iso3"].eq(iso3)
            & t["year"].eq(int(year))
            & t["indicator_id"].eq(indicator_id)
            & t["disaggregation"].eq(disaggregation)
            & t["category"].eq(category)
        )
        if not m.any():
            raise KeyError((iso3, year, indicator_id, disaggregation, category))
        return t.loc[m].iloc[0]


def _rates_by_category(r: pd.DataFrame, members: Sequence[str]) -> pd.DataFrame:
    """16.2.2 by sex, age and form for members: the category's victims per 100,000 population."""
    rate = r[(r["ind"] == RATE_ID) & (r["disagg"] == "total") & r["iso3"].isin(list(members))]
    # A member-year without a population figure gets its category rates too, withheld.
    nopop = rate["f_no_population"].fillna(False).astype(bool)
    pop = rate.loc[rate["denominator"].notna() | nopop, ["iso3", "year", "denominator"]]
    pop = pop.assign(_nopop=nopop[pop.index].to_numpy(bool))
    pop = pop.rename(columns={"denominator": "_pop"})
    parts = r[(r["ind"] == VICTIMS_ID) & r["disagg"].isin(RATE_BREAKDOWNS)]
    m = parts.merge(pop, on=["iso3", "year"], how="inner")
    if m.empty:
        return m
    ok = m["value"].notna().to_numpy() & (m["_pop"].to_numpy(float) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(ok, m["value"].to_numpy(float) / m["_pop"].to_numpy(float) * 100000, np.nan)
    out = m.drop(columns=["_pop", "_nopop"]).assign(
        ind=RATE_ID,
        value=v,
        value_low=v,
        value_high=v,
        numerator=m["value"].to_numpy(float),
        denominator=m["_pop"].to_numpy(float),
    )
    cens = m["censored"].fillna(False).astype(bool).to_numpy()
    for f in ("censored", "range"):
        out[f"f_{f}"] = False
    out["f_censored_numerator"] = cens
    out["f_no_population"] = m["_nopop"].to_numpy(bool)
    out["f_withheld"] = m["_nopop"].to_numpy(bool) | m["f_withheld"].fillna(False).to_numpy(bool)
    return out


def _other_sources(ev: Evaluation, resolved: pd.DataFrame) -> pd.DataFrame:
    """Return the long table of every source's figure per key, the chosen one marked."""
    key = ["ind", "iso3", "year", "disagg", "category"]
    b = ev.by_source
    b = b[b["ind"].isin(resolved["ind"].unique())]
    cols = [*key, "source", "value", "value_low", "value_high", "censored", "coverage_n"]
    own = pd.Series(np.where(b["iso3"].eq(REGION_CODE), "", b["iso3"]), index=b.index)
    cov = b["coverage_members"] if "coverage_members" in b else pd.Series(np.nan, index=b.index)
    b = b.assign(coverage_members=cov.where(cov.notna(), own))
    long = b[[*cols, "coverage_members"]].copy()
    chosen = resolved[[*key, "source_id", "value"]].rename(columns={"value": "_chosen"})
    long = long.merge(chosen, on=key, how="left")
    long["chosen"] = long["source"].eq(long["source_id"])
    long["difference"] = long["value"].astype(float) - long["_chosen"].astype(float)
    long["coverage_n"] = long["coverage_n"].astype("Float64").fillna(1.0)
    long["coverage_members"] = long["coverage_members"].fillna("").astype(str)
    out = pd.DataFrame(
        {
            "iso3": long["iso3"].to_numpy(object),
            "year": long["year"].astype("int64").to_numpy(),
            "indicator_id": long["ind"].to_numpy(object),
            "disaggregation": long["disagg"].to_numpy(object),
            "category": long["category"].astype(str).to_numpy(object),
            "source": long["source"].astype(str).to_numpy(object),
            "chosen": long["chosen"].to_numpy(bool),
            "value": long["value"].astype(float).to_numpy(),
            "lower": long["value_low"].astype(float).to_numpy(),
            "upper": long["value_high"].astype(float).to_numpy(),
            "censored": long["censored"].fillna(False).astype(bool).to_numpy(),
            "coverage_n": long["coverage_n"].round().astype("Int64").array,
            "coverage_members": long["coverage_members"].to_numpy(object),
            "difference": long["difference"].to_numpy(float),
        }
    )
    return finish(out[SOURCE_COLUMNS], [*FACT_KEY, "source"], name="fact_sources")


def _figure_text(value: float, low: float, high: float) -> str:
    if value == value:
        return f"{value:g}"
    if low == low and high == high:
        return f"{low:g}-{high:g}"
    return ""


def _other_text(sources: pd.DataFrame) -> pd.DataFrame:
    """``SOURCE=value`` of every other source, per fact key."""
    o = sources[~sources["chosen"]]
    if o.empty:
        return pd.DataFrame(columns=[*FACT_KEY, "other_sources"])
    text = [
        f"{s}={_figure_text(v, lo, hi)}"
        for s, v, lo, hi in zip(o["source"], o["value"], o["lower"], o["upper"], strict=True)
    ]
    o = o.assign(_t=text)
    return (
        o.groupby(FACT_KEY, sort=False)["_t"].agg("; ".join).rename("other_sources").reset_index()
    )


def build_facts(
    evaluation: Evaluation,
    *,
    illustrative_sources: Sequence[str] = (),
) -> Facts:
    """Return the published facts of an evaluation (see the module's docstring for the rules).

    Parameters
    ----------
    evaluation
        From :func:`corett_lib.facts.engine.evaluate`.
    illustrative_sources
        Sources whose figures are illustrative (flag ``illustrative``).

    Returns
    -------
    Facts
        The fact table and the long table of every source's figure.
    """
    reg, members = evaluation.registry, evaluation.members
    r = evaluation.resolved.copy()
    r["coverage_members"] = r.get("coverage_members", pd.Series("", index=r.index))
    r["coverage_members"] = r["coverage_members"].fillna("").astype(str)
    r["member_sources"] = r.get("member_sources", r["source"]).fillna("").astype(str)
    r = pd.concat([r, _rates_by_category(r, members)], ignore_index=True)
    for f in FACT_FLAGS:
        c = f"f_{f}"
        r[c] = r[c].fillna(False).astype(bool) if c in r else False
    notes = pd.Series("", index=r.index, dtype=object)

    # Parts above their total: flagged on the observations by the validated load (the
    # ``inconsistent`` column, carried up by the engine) and by the rule on facts.
    bad = inconsistent_facts(r, reg)  # boolean per row + the partitions that failed
    r["f_inconsistent"] = r["f_inconsistent"].to_numpy(bool) | bad["inconsistent"].to_numpy(bool)
    notes = notes.where(bad["note"].eq(""), notes + bad["note"])
    nopop = r["f_no_population"].to_numpy(bool)
    notes[nopop] = notes[nopop] + "withheld:no_population;"
    scoped = r["f_withheld"].to_numpy(bool) & ~r["f_inconsistent"].to_numpy(bool) & ~nopop
    notes[scoped] = notes[scoped] + "withheld:validation_error;"
    withheld = withhold_from_inconsistent(r, reg)
    r.loc[withheld, ["value", "value_low", "value_high"]] = np.nan
    r.loc[withheld, ["f_inconsistent", "f_withheld"]] = True
    notes[withheld] = notes[withheld] + "withheld:inconsistent_parts;"
    r["f_illustrative"] = r["source_id"].fillna(r["source"]).isin(list(illustrative_sources))

    sources = _other_sources(evaluation, r)
    differs = sources[~sources["chosen"] & sources["difference"].fillna(1).ne(0)]
    table = pd.DataFrame(
        {
            "iso3": r["iso3"].to_numpy(object),
            "year": r["year"].astype("int64").to_numpy(),
            "indicator_id": r["ind"].to_numpy(object),
            "disaggregation": r["disagg"].to_numpy(object),
            "category": r["category"].astype(str).to_numpy(object),
            "value": r["value"].astype(float).to_numpy(),
            "lower": r["value_low"].astype(float).to_numpy(),
            "upper": r["value_high"].astype(float).to_numpy(),
            "censored": r["censored"].fillna(False).astype(bool).to_numpy(),
            "numerator": r["numerator"].astype(float).to_numpy(),
            "denominator": r["denominator"].astype(float).to_numpy(),
        }
    )
    table["unit"] = table["indicator_id"].map({i.id: i.unit_en for i in reg.indicators})
    table["source"] = r["source"].fillna("").astype(str).to_numpy(object)
    table["member_sources"] = r["member_sources"].to_numpy(object)
    table["coverage_n"] = r["coverage_n"].astype("Float64").round().astype("Int64").array
    table["coverage_of"] = r["coverage_of"].astype("Float64").round().astype("Int64").array
    table["coverage_members"] = r["coverage_members"].to_numpy(object)
    for f in FACT_FLAGS:
        table[f"f_{f}"] = r[f"f_{f}"].to_numpy(bool)
    text = pd.Series("", index=table.index, dtype=object)
    for f in FACT_FLAGS:
        text = text + np.where(table[f"f_{f}"].to_numpy(bool), f + ";", "")
    table["flags"] = text.str.rstrip(";").to_numpy(object)
    table["notes"] = notes.to_numpy(object)
    other = _other_text(sources)
    table = table.merge(other, on=FACT_KEY, how="left")
    table["other_sources"] = table["other_sources"].fillna("")
    if len(differs):
        key = differs[FACT_KEY].drop_duplicates().assign(_d=True)
        table = table.merge(key, on=FACT_KEY, how="left")
        table.loc[table["_d"].eq(True), "notes"] += "sources_differ;"
        table = table.drop(columns="_d")
    table["notes"] = table["notes"].str.rstrip(";")
    table = finish(table[FACT_COLUMNS], FACT_KEY, name="facts")
    return Facts(table=table, sources=sources, registry=reg, members=tuple(members))


def correction_actions(ds: Dataset) -> dict[str, str]:
    """Return ``{correction id: action}`` from the dataset's corrections audit."""
    audits = getattr(ds, "audits", None) or {}
    audit = audits.get("corrections")
    if audit is None or audit.empty:
        return {}
    return dict(zip(audit["correction"].astype(str), audit["action"].astype(str), strict=False))


def facts_from_dataset(ds: Dataset, *, members: Sequence[str] | None = None) -> Facts:
    """Return the published facts of a loaded, validated dataset (evaluate once, then the rules).

    Parameters
    ----------
    ds
        The dataset (:func:`corett_lib.validation.load.load`).
    members
        The coalition members (default: ``parameters/coalition.yaml``).
    """
    ev = evaluate(
        ds.observations,
        ds.population,
        members=members,
        correction_actions=correction_actions(ds),
    )
    return build_facts(ev)


__all__ = [
    "FACT_COLUMNS",
    "FACT_FLAGS",
    "FACT_FLAGS_ES",
    "FACT_KEY",
    "Facts",
    "build_facts",
    "correction_actions",
    "facts_from_dataset",
]
