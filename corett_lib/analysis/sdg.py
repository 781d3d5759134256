"""SDG alignment: progress status and alignment tables per country and year.

The Communication Strategy says CORETT contributes to SDGs 5, 8, 10 and 16; this module says what that
contribution rests on, from three kinds of evidence:

* **measures** — the workbench's indicators (:mod:`corett_lib.analysis`) and the plans' indicators
  (``raw/plan_items.csv``), linked to SDG targets and global indicators;
* **progress** — a progress status in the style of national SDG reporting platforms (Open SDG, after
  Statistics Canada's method): the compound annual growth rate (CAGR) of a series from its base year
  to its latest year, compared with the CAGR needed to reach a numeric target on time or, without a
  target, with fixed growth thresholds in the desired direction. An indicator whose desired direction
  is ambiguous (more detected victims can mean more trafficking or better identification) gets the
  status ``context``: its growth is shown, never judged;
* **norms** — the instruments of Chart 1 each member has ratified, linked to the targets they serve,
  with blank cells shown as gaps.

The mapping is data: ``sdg_mapping.yaml`` in the data folder (the shipped ``data/sdg_mapping.yaml``
when the folder has none). :func:`read_mapping` checks its structure, :func:`check_mapping` checks it
against the SDG reference, the plans, Chart 1 and the indicator registry; both return
:class:`~corett_lib.core.problems.Problem` s naming the file, the line of the entry, the key and why.
:func:`load_mapping` does both for a loaded dataset and raises on errors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corett_lib.analysis.status import (
    PROGRESS_BASE_YEAR,
    PROGRESS_STATUSES,
    cagr,
    is_missing,
    plan_progress,
    progress_status,
    series_progress,
)
from corett_lib.core import config
from corett_lib.core.schema import REGION_CODE
from corett_lib.core.tables import finish
from corett_lib.facts.view import indicator_table

if TYPE_CHECKING:
    pass


from corett_lib.dataset.sdg_mapping import Mapping, _code_key, _text, sdg_title, sort_codes

#: Workbench indicators assessed for progress (counts or ratios of counts).
PROGRESS_INDICATORS: tuple[str, ...] = (
    "victims_rate",
    "victims",
    "women_girls_share",
    "minors_share",
    "repatriated",
    "prosecuted",
    "convicted",
)

#: Statuses of an instrument for a country and year.
INSTRUMENT_STATUSES: tuple[str, ...] = ("ratified", "ratified_later", "gap")


def _is_range(row: Any) -> bool:
    """Return True when an engine row is a sum that includes censored counts (a range, not a ``<5``)."""
    return "range" in str(row.get("flags", "")).split(";")


# --------------------------------------------------------------------------- tables


def _indicator_table(
    evaluation: Any,
    countries: Sequence[str],
    indicators: Sequence[str],
    *,
    years: Iterable[int] | None = None,
    disaggregations: Sequence[str] | None = ("total",),
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:

    return indicator_table(
        evaluation,
        countries=list(countries),
        years=years,
        indicators=list(indicators),
        disaggregations=disaggregations,
        lang=lang,
        country_names=country_names,
    )


def series_16_2_2(
    evaluation: Any,
    country: str,
    *,
    until: int,
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the SDG 16.2.2 series of a country (or ``CORETT``): detected victims per 100,000.

    Returns
    -------
    pandas.DataFrame
        One row per year up to ``until`` with a figure: ``year, victims`` (the count the rate uses),
        ``censored`` (a published ``<5``), ``range_low``/``range_high`` (a regional sum that includes
        censored counts: its bounds; NaN otherwise), ``population``, ``rate``, ``source``,
        ``coverage``; sorted by year.

    Examples
    --------
    >>> obs = pd.DataFrame({"source": ["UNODC"], "iso3": ["GTM"], "year": [2019],
    ...     "indicator": ["Detected trafficking victims"], "dimension": ["Total"],
    ...     "category": ["Total"], "sex": ["Total"], "age": ["Total"], "unit": ["Counts"],
    ...     "value": [434.0], "censored": [False], "value_low": [434.0], "value_high": [434.0]})
    >>> pop = pd.DataFrame({"iso3": ["GTM"], "year": [2019], "population": [17103803]})
    >>> from corett_lib.facts.engine import evaluate
    >>> s = series_16_2_2(evaluate(obs, pop, members=["GTM"]), "GTM", until=2019)
    >>> round(float(s["rate"].iloc[0]), 2)
    2.54
    """
    t = _indicator_table(
        evaluation, [country], ["victims_rate", "victims"], lang=lang, country_names=country_names
    )
    t = t[t["year"] <= until]
    rate = t[t["indicator_id"] == "victims_rate"].set_index("year")
    vic = t[t["indicator_id"] == "victims"].set_index("year")
    years = sorted(
        set(vic.index[vic["value"].notna() | vic["censored"]])
        | set(rate.index[rate["value"].notna()])
    )
    rows = []
    for y in years:
        r = rate.loc[y] if y in rate.index else None
        v = vic.loc[y] if y in vic.index else None
        rows.append(
            {
                "year": int(y),
                "victims": (
                    r["numerator"]
                    if r is not None and not is_missing(r["numerator"])
                    else (v["value"] if v is not None else math.nan)
                ),
                "censored": bool(v["censored"]) and not _is_range(v) if v is not None else False,
                "range_low": v["value_low"] if v is not None and _is_range(v) else math.nan,
                "range_high": v["value_high"] if v is not None and _is_range(v) else math.nan,
                "population": r["denominator"] if r is not None else math.nan,
                "rate": r["value"] if r is not None else math.nan,
                "source": (
                    r["source"]
                    if r is not None and r["source"]
                    else (v["source"] if v is not None else "")
                ),
                "coverage": (r["coverage"] if r is not None else ""),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "year",
            "victims",
            "censored",
            "range_low",
            "range_high",
            "population",
            "rate",
            "source",
            "coverage",
        ],
    )
    return finish(df, ["year"], name="sdg_16_2_2")


#: Disaggregations of 16.2.2 the report shows, in order.
DISAGGREGATIONS_16_2_2: tuple[str, ...] = ("sex", "age", "form")


def breakdown_16_2_2(
    evaluation: Any,
    country: str,
    year: int,
    *,
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return 16.2.2 by sex, age group and form of exploitation for a country and year.

    Each category's rate is its detected victims per 100,000 of the *total* population (the
    indicator's definition: victims per 100,000 population, disaggregated). For the regional figure
    the rate is left empty: the members reporting a breakdown differ from those reporting the total.

    Returns
    -------
    pandas.DataFrame
        ``disaggregation, disaggregation_label, category, category_label, victims, censored,
        range_low, range_high, population, rate, source, flags, inconsistent`` with each
        disaggregation's ``Total`` row first; empty when the source publishes no breakdown. The rate
        of a category is the published fact (withheld, flag ``withheld``, when the category's count
        is part of a breakdown above its total).
    """
    t = _indicator_table(
        evaluation,
        [country],
        ["victims", "victims_rate"],
        years=[year],
        disaggregations=("total", *DISAGGREGATIONS_16_2_2),
        lang=lang,
        country_names=country_names,
    )
    rate = t[(t["indicator_id"] == "victims_rate") & (t["disaggregation"] == "total")]
    pop = (
        float(rate["denominator"].iloc[0])
        if len(rate) and not is_missing(rate["denominator"].iloc[0])
        else math.nan
    )
    if country == REGION_CODE:
        pop = math.nan
    vic = t[t["indicator_id"] == "victims"]
    has = vic["value"].notna() | vic["censored"]
    total = vic[(vic["disaggregation"] == "total") & has]
    # The rates are facts (victims of a category per 100,000 population, withheld when the part is
    # inconsistent): read, never recomputed here.
    rates = t[t["indicator_id"] == "victims_rate"].set_index(["disaggregation", "category"])
    rows = []
    for d in DISAGGREGATIONS_16_2_2:
        part = vic[(vic["disaggregation"] == d) & has]
        if part.empty:
            continue
        for _, r in pd.concat(
            [total.assign(disaggregation_label=part["disaggregation_label"].iloc[0]), part]
        ).iterrows():
            value = float(r["value"]) if not is_missing(r["value"]) else math.nan
            rows.append(
                {
                    "disaggregation": d,
                    "disaggregation_label": r["disaggregation_label"],
                    "category": "Total" if r["disaggregation"] == "total" else r["category"],
                    "category_label": r["category_label"],
                    "victims": value,
                    "censored": bool(r["censored"]) and not _is_range(r),
                    "range_low": r["value_low"] if _is_range(r) else math.nan,
                    "range_high": r["value_high"] if _is_range(r) else math.nan,
                    "population": pop,
                    "rate": rates["value"].get((r["disaggregation"], r["category"]), math.nan)
                    if not is_missing(pop)
                    else math.nan,
                    "source": r["source"],
                    "flags": ";".join(
                        x
                        for x in (
                            str(r["flags"]),
                            str(rates["flags"].get((r["disaggregation"], r["category"]), "")),
                        )
                        if x
                    ),
                    "inconsistent": bool(r["inconsistent"]),
                }
            )
    cols = [
        "disaggregation",
        "disaggregation_label",
        "category",
        "category_label",
        "victims",
        "censored",
        "range_low",
        "range_high",
        "population",
        "rate",
        "source",
        "flags",
        "inconsistent",
    ]
    return pd.DataFrame(rows, columns=cols)


def progress_table(
    evaluation: Any,
    country: str,
    year: int,
    *,
    indicators: Sequence[str] = PROGRESS_INDICATORS,
    lang: str = "en",
    base_year: int = PROGRESS_BASE_YEAR,
    target_year: int | None = None,
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the progress status of the workbench's SDG-linked indicators for a country and year.

    An indicator with a ``target`` in the registry is assessed against it, to be reached by
    ``target_year`` (default: the end of the coalition's plan period, ``parameters/coalition.yaml``);
    the others against the trend thresholds (:func:`progress_status`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator (registry order of ``indicators``): ``indicator_id, label, direction,
        base_year, base_value, base_count, latest_year, latest_value, latest_count, cagr, ratio,
        status``. Counts are the persons behind each value (the value of a count, the numerator of a
        ratio), for disclosure control. Censored figures are treated as missing.
    """
    if target_year is None:
        target_year = int(config.coalition().plan_period.get("end", 2030))
    reg = evaluation.registry
    t = _indicator_table(evaluation, [country], indicators, lang=lang, country_names=country_names)
    t = t[t["year"] <= year]
    rows = []
    for ind in indicators:
        s = t[t["indicator_id"] == ind]
        if s.empty:
            continue
        direction = str(s["direction"].iloc[0])
        target = reg.get(ind).target
        res = series_progress(
            s[["year", "value"]],
            direction,
            until=year,
            base_year=base_year,
            target=target,
            target_year=target_year if target is not None else None,
        )
        counts = s.set_index("year")["numerator"]
        rows.append(
            {
                "indicator_id": ind,
                "label": s["label"].iloc[0],
                "direction": direction,
                "decimals": int(s["decimals"].iloc[0]),
                **res,
                "base_count": counts.get(res["base_year"], math.nan)
                if res["base_year"]
                else math.nan,
                "latest_count": counts.get(res["latest_year"], math.nan)
                if res["latest_year"]
                else math.nan,
            }
        )
    cols = [
        "indicator_id",
        "label",
        "direction",
        "decimals",
        "base_year",
        "base_value",
        "base_count",
        "latest_year",
        "latest_value",
        "latest_count",
        "cagr",
        "ratio",
        "status",
    ]
    return pd.DataFrame(rows, columns=cols)


def plan_links(
    mapping: Mapping, plan_items: pd.DataFrame, actuals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return the plan items linked to each target, with the status of the plan's indicators.

    Parameters
    ----------
    mapping
        The mapping.
    plan_items
        ``Dataset.plan_items``.
    actuals
        Monitoring data on plan indicators (``plan_id, value`` and optionally ``iso3, year``); None
        when there is none: indicators with a target are then ``no data``, others ``not applicable``
        (:func:`corett_lib.analysis.status.plan_progress`).

    Returns
    -------
    pandas.DataFrame
        ``target, sdg_code, id, level, plan, text_en, text_es, unit, direction, target_value,
        relation, rationale_en, rationale_es, status`` (``status`` empty for axes and objectives),
        sorted by target and id.
    """
    links = mapping.links[mapping.links["from_kind"] == "plan_item"]
    cols = ["id", "level", "plan", "text_en", "text_es", "unit", "direction", "target_value"]
    items = plan_items.loc[:, [c for c in cols if c in plan_items.columns]].copy()
    for c in cols:
        if c not in items:
            items[c] = ""
    m = links.merge(items, left_on="from_id", right_on="id", how="inner")
    inds = items[items["level"] == "indicator"].copy()
    inds["direction"] = inds["direction"].replace("", np.nan)
    acts = (
        actuals
        if actuals is not None
        else pd.DataFrame({"plan_id": pd.Series(dtype=object), "value": pd.Series(dtype=float)})
    )
    st = plan_progress(inds, acts)
    latest = st.sort_values(["id", "year"], na_position="first").drop_duplicates("id", keep="last")
    m = m.merge(latest[["id", "status"]], on="id", how="left")
    m["status"] = m["status"].fillna("")
    out = m[
        [
            "target",
            "sdg_code",
            "id",
            "level",
            "plan",
            "text_en",
            "text_es",
            "unit",
            "direction",
            "target_value",
            "relation",
            "rationale_en",
            "rationale_es",
            "status",
        ]
    ].copy()
    out["_t"] = out["target"].map(_code_key)
    out = out.sort_values(["_t", "id"], kind="mergesort").drop(columns="_t").reset_index(drop=True)
    return out


def indicator_links(
    mapping: Mapping,
    evaluation: Any,
    country: str,
    year: int,
    *,
    lang: str = "en",
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the workbench indicators linked to each target, with their value for the year.

    Returns
    -------
    pandas.DataFrame
        ``target, sdg_code, indicator_id, label, relation, rationale_en, rationale_es, value,
        numerator, censored, unit, decimals, source, flags``, sorted by target and registry order.
    """
    links = mapping.links[mapping.links["from_kind"] == "indicator"]
    ids = list(dict.fromkeys(links["from_id"]))
    if not ids:
        return pd.DataFrame()
    t = _indicator_table(
        evaluation, [country], ids, years=[year], lang=lang, country_names=country_names
    )
    keep = [
        "indicator_id",
        "label",
        "value",
        "numerator",
        "censored",
        "unit",
        "decimals",
        "source",
        "flags",
        "direction",
    ]
    m = links.merge(t[keep], left_on="from_id", right_on="indicator_id", how="left")
    order = {i: k for k, i in enumerate(t["indicator_id"].drop_duplicates())}
    m["_t"] = m["target"].map(_code_key)
    m["_o"] = m["indicator_id"].map(order)
    m = m.sort_values(["_t", "_o", "sdg_code"], kind="mergesort")
    cols = [
        "target",
        "sdg_code",
        "indicator_id",
        "label",
        "relation",
        "rationale_en",
        "rationale_es",
        "value",
        "numerator",
        "censored",
        "unit",
        "decimals",
        "direction",
        "source",
        "flags",
    ]
    return m[cols].reset_index(drop=True)


def instrument_status(
    mapping: Mapping,
    ratifications: pd.DataFrame,
    instruments: pd.DataFrame,
    country: str,
    year: int,
    *,
    members: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the linked instruments and their status for a member (or every member, for ``CORETT``).

    A Chart 1 cell with a date up to the end of ``year`` is ``ratified``; a later date is
    ``ratified_later``; a blank cell (or no cell) is a ``gap`` — a gap in Chart 1, which may also
    mean the chart was not updated, so the report says "no date in Chart 1" rather than "not
    ratified".

    Returns
    -------
    pandas.DataFrame
        One row per linked instrument and member: ``instrument_id, row_order, short_name_en,
        short_name_es, targets`` (comma-separated codes), ``iso3, original_text, date_iso, accession,
        status``; sorted by Chart 1 order and member order.
    """
    links = mapping.links[mapping.links["from_kind"] == "instrument"]
    if links.empty:
        return pd.DataFrame()
    tg = links.groupby("from_id")["target"].agg(lambda s: ", ".join(sort_codes(s)))
    inst = instruments.set_index("instrument_id")
    countries = list(members) if country == REGION_CODE else [country]
    cells = ratifications.set_index(["instrument_id", "iso3"]) if len(ratifications) else None
    rows = []
    for iid, targets in tg.items():
        meta = inst.loc[iid] if iid in inst.index else {}
        for iso in countries:
            cell = (
                cells.loc[(iid, iso)] if cells is not None and (iid, iso) in cells.index else None
            )
            date = (
                _text(cell["date_iso"])
                if cell is not None and not _isnan_text(cell["date_iso"])
                else ""
            )
            blank = cell is None or not date or str(cell.get("blank", "")).lower() == "true"
            if blank:
                status = "gap"
            elif int(date[:4]) > int(year):
                status = "ratified_later"
            else:
                status = "ratified"
            rows.append(
                {
                    "instrument_id": iid,
                    "row_order": int(meta.get("row_order", 0)) if len(meta) else 0,
                    "short_name_en": meta.get("short_name_en", iid) if len(meta) else iid,
                    "short_name_es": meta.get("short_name_es", iid) if len(meta) else iid,
                    "targets": targets,
                    "iso3": iso,
                    "original_text": _text(cell["original_text"])
                    if cell is not None and not _isnan_text(cell["original_text"])
                    else "",
                    "date_iso": "" if blank else date,
                    "accession": bool(str(cell.get("accession", "")).lower() == "true")
                    if cell is not None
                    else False,
                    "status": status,
                }
            )
    df = pd.DataFrame(rows)
    df["_m"] = df["iso3"].map({c: i for i, c in enumerate(countries)})
    df = (
        df.sort_values(["row_order", "_m"], kind="mergesort")
        .drop(columns="_m")
        .reset_index(drop=True)
    )
    return df


def _isnan_text(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return str(v).strip() in ("", "nan", "None", "NaT")


def alignment_summary(
    mapping: Mapping,
    *,
    plans: pd.DataFrame,
    indicators: pd.DataFrame,
    instruments: pd.DataFrame,
    sdg: pd.DataFrame,
) -> pd.DataFrame:
    """Return one row per covered target: what the alignment rests on.

    Parameters
    ----------
    mapping
        The mapping.
    plans, indicators, instruments
        From :func:`plan_links`, :func:`indicator_links` and :func:`instrument_status`.
    sdg
        The SDG reference.

    Returns
    -------
    pandas.DataFrame
        ``target, title_en, title_es, global_computed`` (global indicators the workbench computes),
        ``global_total``, ``indicators_linked, indicators_with_value, plan_indicators, plan_items``
        (axes and objectives), ``instrument_cells, ratified, gaps`` (member x instrument cells).
    """
    rows = []
    gi = mapping.global_indicators
    for t in mapping.targets:
        g = gi[gi["target"] == t]
        p = plans[plans["target"] == t] if len(plans) else plans
        i = indicators[indicators["target"] == t] if len(indicators) else indicators
        ins = (
            instruments[instruments["targets"].str.split(", ").map(lambda xs, t=t: t in xs)]
            if len(instruments)
            else instruments
        )
        with_value = (
            i[i["value"].notna() | i["censored"].fillna(False).astype(bool)] if len(i) else i
        )
        rows.append(
            {
                "target": t,
                "title_en": sdg_title(sdg, t, "en"),
                "title_es": sdg_title(sdg, t, "es"),
                "global_computed": ", ".join(
                    sort_codes(g.loc[g["workbench_indicator"] != "", "code"])
                ),
                "global_total": len(g),
                "indicators_linked": int(i["indicator_id"].nunique()) if len(i) else 0,
                "indicators_with_value": int(with_value["indicator_id"].nunique())
                if len(with_value)
                else 0,
                "plan_indicators": int(p.loc[p["level"] == "indicator", "id"].nunique())
                if len(p)
                else 0,
                "plan_items": int(p.loc[p["level"] != "indicator", "id"].nunique())
                if len(p)
                else 0,
                "instrument_cells": len(ins),
                "ratified": int((ins["status"] == "ratified").sum()) if len(ins) else 0,
                "gaps": int((ins["status"] == "gap").sum()) if len(ins) else 0,
            }
        )
    return pd.DataFrame(rows)


def uncomputable_targets(mapping: Mapping) -> pd.DataFrame:
    """Return the covered targets none of whose global indicators the workbench computes.

    With the reasons given for each of their indicators (``target, code, reason_en, reason_es``).
    """
    gi = mapping.global_indicators
    computed = set(gi.loc[gi["workbench_indicator"] != "", "target"])
    out = gi[~gi["target"].isin(computed) & gi["target"].isin(mapping.targets)]
    out = out.assign(_k=out["code"].map(_code_key)).sort_values("_k").drop(columns="_k")
    return out[["target", "code", "reason_en", "reason_es"]].reset_index(drop=True)


__all__ = [
    "INSTRUMENT_STATUSES",
    "PROGRESS_BASE_YEAR",
    "PROGRESS_INDICATORS",
    "PROGRESS_STATUSES",
    "alignment_summary",
    "breakdown_16_2_2",
    "cagr",
    "indicator_links",
    "instrument_status",
    "plan_links",
    "progress_status",
    "progress_table",
    "series_16_2_2",
    "series_progress",
    "uncomputable_targets",
]
