"""What a page says about a fact: its note, its coverage, its inconsistent parts, its source.

Every report reads the same published facts (:mod:`corett_lib.facts`), so the same fact carries the
same words on every page: a part above its total is marked in the table's note column and explained
in one sentence; a withheld share says why; a regional figure says which members it covers and
whether it is the region's published figure or the sum of one source's member figures; where sources
differ, one sentence says which source the page uses and why. A figure the data-quality review
(:mod:`corett_lib.analysis.quality`) flags is footnoted with each rule and its evidence, and a rate,
share, change or trend computed from one names that figure (:func:`quality_line`). Words come from the catalogue
(``facts.*`` of ``corett_lib/core/messages/<lang>/facts.yaml``). Sentences never state a count below
the disclosure threshold.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from corett_lib.analysis import quality
from corett_lib.analysis.status import is_missing
from corett_lib.core import i18n
from corett_lib.core.schema import REGION_CODE
from corett_lib.facts.engine import POPULATION_SOURCE, SUM_SOURCE
from corett_lib.publishing.disclosure import Cell
from corett_lib.reporting.context import Context


def figure(value: Any, low: Any, high: Any, lang: str, k: int) -> str:
    """Return a count as a sentence shows it: ``970``, ``817–820``, or ``<k`` when it could be below k."""
    if not is_missing(value):
        return i18n.number(float(value), lang) if float(value) >= k else f"<{k}"
    if not (is_missing(low) or is_missing(high)):
        if float(low) < k:
            return f"<{k}" if float(high) < k else i18n.t("label.no_data", lang)
        return f"{i18n.number(float(low), lang)}–{i18n.number(float(high), lang)}"
    return i18n.t("label.no_data", lang)


def count_cell(row: Any) -> Any:
    """Return a count cell for :func:`~corett_lib.publishing.publish.publish_table`.

    A number, ``"<5"``, a range or NaN.

    A sum that includes censored counts (flag ``range``) is its bounds
    (:meth:`corett_lib.publishing.disclosure.Cell.bounded`): shown as ``796–802`` when its lower
    bound is at least the threshold, as ``<k`` otherwise. Every page shows a count fact this way.
    """
    if "range" in str(row.get("flags", "")).split(";"):
        low, high = row.get("value_low"), row.get("value_high")
        if not (is_missing(low) or is_missing(high)):
            return Cell.bounded(float(low), float(high))
        return float("nan")
    if bool(row["censored"]):
        return "<5"
    v = row["value"]
    return float("nan") if v is None or is_missing(v) else float(v)


def source_label(source: Any, lang: str) -> str:
    """Return a source as pages name it (``UNODC (GLOTIP)``, ``CORETT``, ``sum of members (UNODC)``)."""
    s = str(source or "")
    if s == "CORETT":
        return i18n.t("source.corett", lang)
    if s == "UNODC":
        return "UNODC (GLOTIP)"
    if s.startswith(SUM_SOURCE):
        return i18n.t("annual.sum_of_members", lang) + s[len(SUM_SOURCE) :]
    return s or i18n.t("label.not_available", lang)


def member_names(codes: Any, lang: str) -> str:
    """``BLZ,CRI`` -> ``Belize, Costa Rica`` in the page's language."""
    return ", ".join(i18n.country_name(c, lang) for c in str(codes or "").split(",") if c)


def note(row: Any, lang: str) -> str:
    """Return the note cell of a table row: why a figure is marked or withheld (empty otherwise)."""
    flags = str(row.get("flags", "")).split(";")
    if "no_population" in flags:
        country = row.get("iso3")
        name = i18n.country_name(str(country), lang) if country else ""
        return i18n.t("facts.flag.no_population", lang, country=name, source=POPULATION_SOURCE)
    if "withheld" in flags and "inconsistent" not in flags:
        return i18n.t("facts.flag.withheld_error", lang)
    if "withheld" in flags:
        return i18n.t("facts.flag.withheld", lang)
    if "inconsistent" in flags:
        return i18n.t("facts.flag.inconsistent", lang)
    return ""


#: What identifies a fact and the source it is shown from (the join of the quality flags).
_FACT_SOURCE = ["iso3", "year", "indicator_id", "disaggregation", "category", "source"]


#: The quality flags indexed by fact and source: ``id(flags) -> (flags, year as int64, key -> rows)``.
_FLAG_INDEX: dict[int, tuple[pd.DataFrame, pd.DataFrame, dict[tuple[Any, ...], list[int]]]] = {}


def _fact_keys(t: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Return each row's fact and source (:data:`_FACT_SOURCE`) as a tuple, the year an ``int``."""
    cols = [t[c].astype("int64").tolist() if c == "year" else t[c].tolist() for c in _FACT_SOURCE]
    return list(zip(*cols, strict=True))


def _flag_index(q: pd.DataFrame) -> tuple[pd.DataFrame, dict[tuple[Any, ...], list[int]]]:
    """Return the quality flags (year as ``int64``) and the positions of each fact's flag rows.

    Built once per flag table (:func:`corett_lib.reporting.context.quality_flags` keeps one per
    dataset and process) instead of filtering the table on every call; one table at a time.
    """
    hit = _FLAG_INDEX.get(id(q))
    if hit is None or hit[0] is not q:
        _FLAG_INDEX.clear()
        flags = q.astype({"year": "int64"})
        rows: dict[tuple[Any, ...], list[int]] = {}
        for n, key in enumerate(_fact_keys(flags)):
            rows.setdefault(key, []).append(n)
        hit = _FLAG_INDEX[id(q)] = (q, flags, rows)
    return hit[1], hit[2]


def quality_rows(ctx: Context, t: pd.DataFrame) -> pd.DataFrame:
    """Return the quality flags behind the facts of ``t`` (rows of a fact selection).

    Joined on the fact's key and the source it is shown from
    (:func:`corett_lib.reporting.context.quality_flags`): one row per fact and flag behind it, in
    the order of the flag table.
    """
    q = ctx.quality_flags
    if q.empty or t.empty:
        return q.iloc[0:0]
    flags, rows = _flag_index(q)
    pos = sorted(n for key in set(_fact_keys(t)) for n in rows.get(key, ()))
    return flags.iloc[pos].reset_index(drop=True)


def quality_flagged(ctx: Context, t: pd.DataFrame) -> pd.Series:
    """Return, for each row of ``t``, whether its fact is computed from a figure the review flags."""
    q = ctx.quality_flags
    if q.empty or t.empty:
        return pd.Series(False, index=t.index, dtype=bool)
    rows = _flag_index(q)[1]
    return pd.Series([key in rows for key in _fact_keys(t)], index=t.index, dtype=bool)


def quality_note(ctx: Context, t: pd.DataFrame) -> list[str]:
    """Return the note cell of each row of ``t``: the quality mark of a flagged fact, else empty."""
    mark = i18n.t("facts.quality.note", ctx.lang)
    return [mark if f else "" for f in quality_flagged(ctx, t)]


def _reasons(ctx: Context, flags: pd.DataFrame) -> str:
    """``rule (evidence); rule (evidence)`` for the flags of one figure, most pressing first."""
    flags = flags.drop_duplicates(["rule", "check"])
    return "; ".join(
        i18n.t(
            "facts.quality.reason",
            ctx.lang,
            rule=i18n.t(f"quality.rule.{f['rule']}", ctx.lang),
            evidence=quality.evidence_text(f, ctx.lang, ctx.k),
        )
        for _, f in flags.iterrows()
    )


def quality_line(ctx: Context, fact: Any, flags: pd.DataFrame) -> str:
    """Return the footnote of one flagged fact (a row of a fact selection, ``label`` included).

    A count flagged itself names each rule with its evidence; a rate, share, change or trend names
    the flagged figures it is computed from (``flags``: the fact's rows of :func:`quality_rows`).
    Every page words the same fact the same way: they all call this.
    """
    lang = ctx.lang
    what = str(fact["label"])
    if fact["disaggregation"] != "total":
        what += f" ({fact['category_label']})"
    kind = ctx.facts.registry.get(str(fact["indicator_id"])).kind
    common = {"what": what, "year": int(fact["year"]), "source": source_label(fact["source"], lang)}
    if kind == "count":
        return i18n.t("facts.quality.flagged", lang, reasons=_reasons(ctx, flags), **common)
    figures = []
    obs = ["indicator", "dimension", "category_obs", "sex", "age", "obs_year"]
    for (ind, dim, cat, sex, age, year), g in flags.groupby(obs, sort=False):
        label = quality.figure_label(
            {"indicator": ind, "dimension": dim, "category": cat, "sex": sex, "age": age}, lang
        )
        figures.append(
            i18n.t(
                "facts.quality.figure", lang, figure=label, year=int(year), reasons=_reasons(ctx, g)
            )
        )
    return i18n.t("facts.quality.computed", lang, figures=" / ".join(figures), **common)


def quality_lines(ctx: Context, t: pd.DataFrame) -> list[str]:
    """Return one footnote per fact of ``t`` computed from a flagged figure (:func:`quality_line`)."""
    q = ctx.quality_flags
    if q.empty or t.empty:
        return []
    flags, rows = _flag_index(q)
    facts = t.drop_duplicates(_FACT_SOURCE)
    out = []
    for n, key in enumerate(_fact_keys(facts)):
        if key in rows:
            out.append(quality_line(ctx, facts.iloc[n], flags.iloc[rows[key]]))
    return out


def inconsistency_lines(ctx: Context, t: pd.DataFrame) -> list[str]:
    """One sentence per indicator and breakdown whose parts add up to more than their total."""
    lang = ctx.lang
    out = []
    bad = t[t["inconsistent"].astype(bool) & t["disaggregation"].ne("total")]
    bad = bad[~bad["flags"].astype(str).str.contains("withheld")]
    for (ind, _d, year), part in bad.groupby(
        ["indicator_id", "disaggregation", "year"], sort=False
    ):
        total = t[t["indicator_id"].eq(ind) & t["disaggregation"].eq("total") & t["year"].eq(year)]
        tot = total.iloc[0] if len(total) else None
        out.append(
            i18n.t(
                "facts.inconsistent_parts",
                lang,
                what=part["label"].iloc[0],
                breakdown=str(part["disaggregation_label"].iloc[0]).lower(),
                year=int(year),
                total=figure(tot["value"], tot["value_low"], tot["value_high"], lang, ctx.k)
                if tot is not None
                else i18n.t("label.no_data", lang),
            )
        )
    return out


def withheld_lines(ctx: Context, t: pd.DataFrame) -> list[str]:
    """One sentence per withheld share or rate (a value that would come from inconsistent parts)."""
    flags = t["flags"].astype(str)
    w = t[flags.str.contains("withheld") & flags.str.contains("inconsistent")]
    w = w.drop_duplicates(["indicator_id", "year"])
    return [
        i18n.t("facts.withheld", ctx.lang, what=r["label"], year=int(r["year"]))
        for _, r in w.iterrows()
    ]


def no_population_lines(ctx: Context, rate: Any) -> list[str]:
    """Return the sentence on a regional rate that leaves out members without a population figure.

    ``rate`` is the regional rate's row (a fact selection's row, ``label`` included; its
    ``indicator_id`` a column or the row's name). Empty when
    every member of the year has a population figure, or when the rate has no value.
    """
    f = ctx.facts.table
    indicator = rate.get("indicator_id", getattr(rate, "name", None))
    lacking = f.loc[
        f["indicator_id"].eq(str(indicator))
        & f["year"].eq(int(rate["year"]))
        & f["disaggregation"].eq("total")
        & f["f_no_population"],
        "iso3",
    ]
    if lacking.empty or is_missing(rate["value"]) or is_missing(rate["coverage_n"]):
        return []
    lang = ctx.lang
    return [
        i18n.t(
            "facts.coverage_no_population",
            lang,
            what=str(rate["label"]),
            year=int(rate["year"]),
            n=int(rate["coverage_n"]),
            total=int(rate["coverage_of"]),
            members=member_names(rate["coverage_members"], lang),
            missing=member_names(",".join(sorted(lacking)), lang),
            source=POPULATION_SOURCE,
        )
    ]


def coverage_lines(ctx: Context, t: pd.DataFrame) -> list[str]:
    """Return, for the regional rows (``CORETT``) of ``t`` with a figure, which members each covers.

    And how: the region's published figure, or the sum of one source's member figures.
    """
    lang = ctx.lang
    out = []
    rows = t[t["iso3"].eq(REGION_CODE)]
    rows = rows[rows["value"].notna() | rows["value_low"].notna()]
    for _, r in rows.iterrows():
        if is_missing(r["coverage_n"]) or not r.get("coverage_members", ""):
            continue
        key = (
            "facts.coverage_sum"
            if str(r["source"]).startswith(SUM_SOURCE)
            else "facts.coverage_published"
        )
        source = source_label(
            str(r["source"])[len(SUM_SOURCE) :].strip(" ()")
            if key == "facts.coverage_sum"
            else r["source"],
            lang,
        )
        what = str(r["label"])
        if r["disaggregation"] != "total":
            what += f" ({r['category_label']})"
        line = i18n.t(
            key,
            lang,
            what=what,
            year=int(r["year"]),
            source=source,
            n=int(r["coverage_n"]),
            total=int(r["coverage_of"]),
            members=member_names(r["coverage_members"], lang),
        )
        covered = set(str(r["coverage_members"]).split(","))
        missing = [m for m in ctx.members if m not in covered]
        if missing:
            line += " " + i18n.t(
                "facts.coverage_missing", lang, members=member_names(",".join(missing), lang)
            )
        out.append(line)
    return out


def source_lines(ctx: Context, indicators: list[str] | None = None) -> list[str]:
    """Where sources differ for the page's country and year: which one the page uses, and why.

    For a member: one sentence per total count with another source's different figure. For the
    region: the published regional figure against each source's sum of members (a different fact,
    with its own coverage, never added to it).
    """
    lang, f = ctx.lang, ctx.facts
    s = f.sources
    counts = [i.id for i in f.registry.indicators if i.kind == "count"]
    s = s[
        s["iso3"].eq(ctx.country)
        & s["year"].eq(ctx.year)
        & s["disaggregation"].eq("total")
        & s["indicator_id"].isin(indicators or counts)
    ]
    out = []
    precedence = ", ".join(f.registry.defaults.precedence)
    for ind, g in s.groupby("indicator_id", sort=False):
        chosen = g[g["chosen"]]
        if chosen.empty:
            continue
        c = chosen.iloc[0]
        label = f.registry.get(str(ind)).name(lang)
        for _, o in g[~g["chosen"]].iterrows():
            same = (o["upper"] >= c["lower"]) and (c["upper"] >= o["lower"])
            if same:
                continue
            other_src = str(o["source"])
            if other_src.startswith(SUM_SOURCE):
                out.append(
                    i18n.t(
                        "facts.other_sum",
                        lang,
                        what=label,
                        year=ctx.year,
                        source=other_src[len(SUM_SOURCE) :].strip(" ()"),
                        value=figure(o["value"], o["lower"], o["upper"], lang, ctx.k),
                        n=int(o["coverage_n"]) if not pd.isna(o["coverage_n"]) else 0,
                        total=len(f.members),
                        members=member_names(o["coverage_members"], lang),
                    )
                )
                continue
            reason = "published_regional" if ctx.country == REGION_CODE else "precedence"
            diff = (
                i18n.number(float(o["difference"]), lang)
                if not is_missing(o["difference"])
                else i18n.t("label.no_data", lang)
            )
            if not is_missing(o["difference"]) and float(o["difference"]) > 0:
                diff = "+" + diff
            out.append(
                i18n.t(
                    "facts.source_choice",
                    lang,
                    what=label,
                    year=ctx.year,
                    source=source_label(c["source"], lang),
                    value=figure(c["value"], c["lower"], c["upper"], lang, ctx.k),
                    other=source_label(other_src, lang),
                    other_value=figure(o["value"], o["lower"], o["upper"], lang, ctx.k),
                    difference=diff,
                    reason=i18n.t(f"facts.reason.{reason}", lang, precedence=precedence),
                )
            )
    return out


__all__ = [
    "count_cell",
    "coverage_lines",
    "figure",
    "inconsistency_lines",
    "member_names",
    "note",
    "quality_flagged",
    "quality_line",
    "quality_lines",
    "quality_note",
    "quality_rows",
    "source_label",
    "source_lines",
    "withheld_lines",
]
