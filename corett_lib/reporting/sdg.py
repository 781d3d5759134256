"""Sections of the SDG alignment report (``notebooks/sdg_alignment.ipynb``), one function per section.

Each function takes the report's :class:`~corett_lib.reporting.context.Context` and returns a
:class:`~corett_lib.reporting.context.Block`. The alignment logic lives in :mod:`corett_lib.analysis.sdg` (the reviewed
mapping, progress status, alignment tables); figures come from the indicator engine; every table goes
through :func:`corett_lib.reporting.context.publish` (disclosure control, one ledger per report); words come from
the ``sdg.*`` messages of the catalogues, and goal, target and indicator texts from the SDG reference
file (``raw/sdg_targets.csv``) in the report's language.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from corett_lib.analysis import sdg
from corett_lib.analysis.status import PROGRESS_BASE_YEAR, is_missing, status_text
from corett_lib.core import i18n
from corett_lib.dataset import sdg_mapping
from corett_lib.publishing.fact_disclosure import fact_key, indicator_fact
from corett_lib.publishing.linked import FACT_SEPARATOR
from corett_lib.reporting import charts, fact_notes
from corett_lib.reporting.annual import indicators as annual_indicators
from corett_lib.reporting.annual import source_name
from corett_lib.reporting.context import (
    Block,
    Context,
    bullet_list,
    heading,
    html_block,
    once,
    paragraph,
    publish,
    publish_chart,
    shared,
    with_downloads,
    wrap,
)
from corett_lib.validation import sdg_mapping as sdg_checks

if TYPE_CHECKING:
    import pandas as pd

#: The plan item holding the Communication Strategy's key message on the SDGs.
CLAIM_ITEM = "COM.A2.PUB1.MSG5"


def mapping(ctx: Context) -> sdg_mapping.Mapping:
    """Return the checked SDG mapping of the report's data (held by the loaded dataset)."""
    return sdg_checks.load_mapping(ctx.ds)


def _t(key: str, lang: str, **kwargs: Any) -> str:
    return i18n.t(f"sdg.{key}", lang, **kwargs)


def _names(ctx: Context) -> pd.DataFrame | None:
    return ctx.ds.countries if len(ctx.ds.countries) else None


def _country(ctx: Context) -> str:
    return i18n.country_name(ctx.country, ctx.lang)


def _count(value: Any, censored: Any) -> Any:
    """Return a count cell for :func:`~corett_lib.publishing.publish.publish_table`: a number, ``"<5"`` or NaN."""
    if bool(censored):
        return "<5"
    return float("nan") if is_missing(value) else float(value)


def _persons(ctx: Context, value: Any, censored: Any, fact: str | None) -> Any:
    """Return the persons cell of a linked indicator: its number, or the fact it shows when censored.

    A censored numerator is read as its fact is on every page (:meth:`FactDecision.figure
    <corett_lib.publishing.fact_disclosure.FactDecision.figure>`): a regional sum that includes
    ``<5`` counts is its range (CORETT's convicted 90–96, shown "90–96"), only a censored count below
    5 is ``<5``. Without a fact it has no figure (NaN, shown "–"), never a guessed ``<5``.
    """
    if not bool(censored):
        return float("nan") if is_missing(value) else float(value)
    figure = ctx.disclosure.figure(fact) if fact is not None else None
    return float("nan") if figure is None or figure.missing else figure


def _ranges(rows: pd.DataFrame, label: Any, lang: str) -> list[str]:
    """Sentences for the rows that are regional sums including censored counts (bounds known)."""
    out = []
    for _, r in rows.iterrows():
        if not is_missing(r["range_low"]):
            low, high = i18n.number(r["range_low"], lang), i18n.number(r["range_high"], lang)
            out.append(_t("range", lang, what=label(r), low=low, high=high))
    return out


def _text_of(row: Any, lang: str) -> str:
    es = row.get("text_es") if hasattr(row, "get") else None
    if lang == "es" and isinstance(es, str) and es.strip():
        return es
    return str(row.get("text_en", "") if hasattr(row, "get") else "")


def _code_title(ctx: Context, code: str) -> str:
    return sdg_mapping.sdg_title(ctx.ds.sdg, code, ctx.lang)


def _source(source: Any, lang: str) -> str:

    return source_name(source, lang)


# --------------------------------------------------------------------------- sections


def title(ctx: Context) -> Block:
    """Return the report's title and introduction: the claim it examines and the goals concerned."""
    lang = ctx.lang
    blocks: list[Block] = [
        heading(i18n.t("report.sdg.title", lang, country=_country(ctx), year=ctx.year), 1),
        paragraph(_t("intro", lang, country=_country(ctx), year=ctx.year)),
    ]
    items = ctx.ds.plan_items
    if len(items) and CLAIM_ITEM in set(items["id"]):
        row = items.set_index("id").loc[CLAIM_ITEM]
        blocks.append(
            paragraph(_t("claim", lang, id=CLAIM_ITEM, text=_text_of(row, lang)), css="corett-note")
        )
    goals = sdg_mapping.sort_codes(sdg_mapping.goal_of(t) for t in mapping(ctx).targets)
    blocks.append(heading(_t("goals", lang), 2, "goals"))
    blocks.append(
        bullet_list([f"{i18n.t('sdg.goal', lang, code=g)}: {_code_title(ctx, g)}" for g in goals])
    )
    return wrap(*blocks)


def series(ctx: Context) -> Block:
    """SDG indicator 16.2.2 over the years up to the report's year: a line chart and its table."""
    import pandas as pd

    lang = ctx.lang
    head = wrap(
        heading(_t("heading.series", lang), 2, "sdg-16-2-2"),
        paragraph(f"{i18n.t('sdg.indicator', lang, code='16.2.2')}: {_code_title(ctx, '16.2.2')}"),
    )
    s = sdg.series_16_2_2(
        ctx.facts, ctx.country, until=ctx.year, lang=lang, country_names=_names(ctx)
    )
    if s.empty:
        return head + paragraph(_t("no_series", lang, country=_country(ctx), year=ctx.year))
    year_col, victims_col = i18n.t("label.year", lang), _t("col.victims", lang)
    pop_col, rate_col = _t("col.population", lang), _t("col.rate", lang)
    src_col = i18n.t("label.source", lang)
    df = pd.DataFrame(
        {
            year_col: s["year"].astype(int).to_list(),
            victims_col: [_count(v, c) for v, c in zip(s["victims"], s["censored"], strict=True)],
            pop_col: [i18n.number(p, lang) if not is_missing(p) else "" for p in s["population"]],
            rate_col: s["rate"].to_list(),
            src_col: [_source(x, lang) for x in s["source"]],
        }
    )
    data = publish_chart(
        ctx,
        df,
        chart_id="sdg_16_2_2",
        title=_t("heading.series", lang),
        count_columns=[victims_col],
        derived={rate_col: victims_col},
        formats={rate_col: "number:2", pop_col: "text"},
        facts={
            (r, victims_col): fact_key(ctx.country, y, "victims", "total", "Total")
            for r, y in enumerate(s["year"])
        },
    )
    pub = data.table
    chart_df = pd.DataFrame(
        {
            "year": df[year_col],
            "value": pub.values[rate_col],
            "suppressed": pub.status[rate_col] != "",
            "status": pub.status[victims_col],  # the count's: why its rate is hidden
        }
    )
    # The rate of a year computed from a figure the data-quality review flags: ringed, footnoted.
    rates = annual_indicators(ctx, ["victims_rate"], years=[int(y) for y in s["year"]])
    rates = rates[rates["value"].notna()]
    flagged_years = set(rates.loc[fact_notes.quality_flagged(ctx, rates), "year"].astype(int))
    chart_df["flagged"] = chart_df["year"].astype(int).isin(flagged_years)
    chart, alt_text = charts.trend_chart(
        chart_df,
        lang=lang,
        title=f"{i18n.t('sdg.indicator', lang, code='16.2.2')}, {_country(ctx)}",
        y_title=rate_col,
        threshold=ctx.k,
        decimals=2,
        flagged="flagged",
        status="status",
    )
    ranges = _ranges(s, lambda r: f"{victims_col} {int(r['year'])}", lang)
    if ctx.regional:  # which members the regional figure of the year covers
        ranges += fact_notes.coverage_lines(ctx, annual_indicators(ctx, ["victims"]))
    ranges += fact_notes.quality_lines(ctx, rates)
    return wrap(
        head,
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(data.html_data({victims_col: victims_col})),
        html_block(pub.to_html()),
        bullet_list(ranges) if ranges else None,
        paragraph(
            i18n.t("source.unodc", lang) + " " + i18n.t("source.population", lang),
            css="corett-note",
        ),
    )


def breakdown(ctx: Context) -> Block:
    """Return indicator 16.2.2 for the report's year by sex, age group and form of exploitation."""
    import pandas as pd

    lang = ctx.lang
    head = heading(_t("heading.breakdown", lang, year=ctx.year), 2, "sdg-16-2-2-breakdown")
    b = sdg.breakdown_16_2_2(ctx.facts, ctx.country, ctx.year, lang=lang, country_names=_names(ctx))
    if b.empty:
        return head + paragraph(_t("no_breakdown", lang, country=_country(ctx), year=ctx.year))
    blocks: list[Block] = [head]
    victims_col, rate_col = _t("col.victims", lang), _t("col.rate", lang)
    src_col, total = i18n.t("label.source", lang), i18n.t("label.total", lang)
    year_col = i18n.t("label.year", lang)
    for d in sdg.DISAGGREGATIONS_16_2_2:
        part = b[b["disaggregation"] == d]
        if part.empty:
            continue
        cat_col = str(part["disaggregation_label"].iloc[0])
        df = pd.DataFrame(
            {
                year_col: [ctx.year] * len(part),
                cat_col: [
                    total if c == "Total" else lab
                    for c, lab in zip(part["category"], part["category_label"], strict=True)
                ],
                victims_col: [
                    _count(v, c) for v, c in zip(part["victims"], part["censored"], strict=True)
                ],
                rate_col: part["rate"].to_list(),
                src_col: [_source(x, lang) for x in part["source"]],
            }
        )
        # The facts of the part (its counts and rates), for the data-quality review's flags.
        facts_d = annual_indicators(ctx, ["victims", "victims_rate"], disaggregations=("total", d))
        rates_d = facts_d[facts_d["indicator_id"].eq("victims_rate") & facts_d["value"].notna()]
        counts_d = facts_d[facts_d["indicator_id"].eq("victims")]
        flagged_cats = set(counts_d.loc[fact_notes.quality_flagged(ctx, counts_d), "category"])
        flagged_cats |= set(rates_d.loc[fact_notes.quality_flagged(ctx, rates_d), "category"])
        quality_mark = i18n.t("facts.quality.note", lang)
        notes = [
            "; ".join(
                n
                for n in (
                    fact_notes.note({"flags": f, "iso3": ctx.country}, lang),
                    quality_mark if c in flagged_cats else "",
                )
                if n
            )
            for f, c in zip(part["flags"], part["category"], strict=True)
        ]
        if any(notes):  # the same mark as on the annual report
            df[i18n.t("facts.note_column", lang)] = notes
        has_total = bool((part["category"] == "Total").any())
        # The victims counts are the annual report's facts (the same keys): the scanner audits
        # the pages of a country-year together through them.
        facts = {
            (r, victims_col): FACT_SEPARATOR.join(
                (ctx.country, str(ctx.year), "victims", *(("total", c) if c == "Total" else (d, c)))
            )
            for r, c in enumerate(part["category"])
        }
        pub = publish(
            ctx,
            df,
            facts=facts,
            table_id=f"sdg_16_2_2_{d}",
            title=f"16.2.2 — {cat_col}, {ctx.year}",
            count_columns=[victims_col],
            group_by=[year_col],
            group_total={cat_col: total} if has_total else None,
            derived={rate_col: victims_col},
            formats={rate_col: "number:2"},
        )
        blocks.append(html_block(pub.to_html()))
        ranges = _ranges(part, lambda r, c=cat_col: f"{c}: {r['category_label']}", lang)
        if part["inconsistent"].any() or ctx.regional:
            ranges += fact_notes.inconsistency_lines(ctx, counts_d)
            if ctx.regional:  # each regional part names the members it covers
                parts_d = counts_d[counts_d["disaggregation"] == d]
                ranges += fact_notes.coverage_lines(ctx, parts_d)
        # A flagged count's rate names the count and why (the same sentence on every page);
        # a flagged count without a rate is footnoted as a count.
        rated = set(rates_d.loc[fact_notes.quality_flagged(ctx, rates_d), "category"])
        ranges += fact_notes.quality_lines(ctx, rates_d)
        ranges += fact_notes.quality_lines(ctx, counts_d[~counts_d["category"].isin(rated)])
        if ranges:
            blocks.append(bullet_list(ranges))
    note = "region_breakdown_note" if ctx.regional else "breakdown_note"
    blocks.append(paragraph(_t(note, lang), css="corett-note"))
    return wrap(*blocks)


def _progress_facts(
    ctx: Context, p: pd.DataFrame, base_col: str, latest_col: str
) -> dict[tuple[int, str], str]:
    """Return the facts the progress table's counts show: a count indicator's total in a year."""
    out: dict[tuple[int, str], str] = {}
    kinds = {i.id: i.kind for i in ctx.facts.registry.indicators}
    for r, (ind, base, latest) in enumerate(
        zip(p["indicator_id"], p["base_year"], p["latest_year"], strict=True)
    ):
        if kinds.get(ind) != "count":
            continue  # a ratio's count is its numerator, not a fact of its own
        for col, year in ((base_col, base), (latest_col, latest)):
            if not is_missing(year):
                out[(r, col)] = fact_key(ctx.country, int(year), ind, "total", "Total")
    return out


def _indicator_facts(ctx: Context, i: pd.DataFrame, persons_col: str) -> dict[tuple[int, str], str]:
    """Return the facts the linked-indicators table's persons show (a ratio's: its numerator's).

    The persons of a count are its total; of a ratio, its numerator (``victims_rate`` shows the
    victims); of a change or growth, the figure of the year of the indicator it follows. Named, so
    that a fact the country-year decision hides is hidden here too.
    """
    out: dict[tuple[int, str], str] = {}
    reg = ctx.facts.registry
    for r, ind in enumerate(i["indicator_id"]):
        if not isinstance(ind, str) or not ind:
            continue
        key = indicator_fact(reg, str(ind), ctx.country, ctx.year)
        if key is not None:
            out[(r, persons_col)] = key
    return out


def progress(ctx: Context) -> Block:
    """Progress status of the workbench's SDG-linked indicators, national-SDG-platform style."""
    import pandas as pd

    lang = ctx.lang
    head = heading(_t("heading.progress", lang), 2, "sdg-progress")
    p = sdg.progress_table(ctx.facts, ctx.country, ctx.year, lang=lang, country_names=_names(ctx))
    method = paragraph(_t("progress_method", lang, base_year=PROGRESS_BASE_YEAR), css="corett-note")
    if p.empty:
        return wrap(head, method)
    c = {
        k: _t(f"col.{k}", lang)
        for k in (
            "indicator",
            "direction",
            "base_year",
            "latest_year",
            "base_count",
            "latest_count",
            "base_value",
            "latest_value",
            "cagr",
            "status",
        )
    }
    df = pd.DataFrame(
        {
            c["indicator"]: p["label"].to_list(),
            c["direction"]: [_t(f"direction.{d}", lang) for d in p["direction"]],
            c["base_year"]: ["" if is_missing(y) else str(int(y)) for y in p["base_year"]],
            c["latest_year"]: ["" if is_missing(y) else str(int(y)) for y in p["latest_year"]],
            c["base_count"]: p["base_count"].astype(float).to_list(),
            c["latest_count"]: p["latest_count"].astype(float).to_list(),
            c["base_value"]: [
                math.nan if d == 0 else v
                for v, d in zip(p["base_value"], p["decimals"], strict=True)
            ],
            c["latest_value"]: [
                math.nan if d == 0 else v
                for v, d in zip(p["latest_value"], p["decimals"], strict=True)
            ],
            c["cagr"]: (p["cagr"].astype(float) * 100).to_list(),
            c["status"]: [status_text(s, lang, method="progress") for s in p["status"]],
        }
    )
    pub = publish(
        ctx,
        df,
        table_id="sdg_progress",
        title=_t("heading.progress", lang),
        count_columns=[c["base_count"], c["latest_count"]],
        derived={
            c["base_value"]: c["base_count"],
            c["latest_value"]: c["latest_count"],
            c["cagr"]: [c["base_count"], c["latest_count"]],
        },
        formats={c["base_value"]: "number:2", c["latest_value"]: "number:2", c["cagr"]: "number:1"},
        facts=_progress_facts(ctx, p, c["base_count"], c["latest_count"]),
    )
    region = (
        paragraph(_t("region_progress_note", lang), css="corett-note") if ctx.regional else None
    )
    return wrap(head, html_block(pub.to_html()), method, region)


def _instrument_line(row: Any, lang: str, year: int) -> str:
    name = row["short_name_es"] if lang == "es" else row["short_name_en"]
    status = _t(f"instrument_status.{row['status']}", lang, year=year)
    if row["status"] == "gap":
        return f"{name}: {status}"
    date = i18n.date(row["date_iso"], lang)
    shown = _t("accession", lang, date=date) if row["accession"] else date
    return f"{name}: {status} ({shown})"


def _region_instruments(ctx: Context, ins: pd.DataFrame) -> pd.DataFrame:
    """One row per instrument: members with a date up to the year, gaps, later dates."""
    import pandas as pd

    lang = ctx.lang
    rows = []
    total = len(ctx.members)
    for _iid, g in ins.groupby("instrument_id", sort=False):
        first = g.iloc[0]
        members = list(zip(g["iso3"].tolist(), g["status"].tolist(), strict=True))
        names = {
            s: ", ".join(i18n.country_name(c, lang) for c, st in members if st == s)
            for s in sdg.INSTRUMENT_STATUSES
        }
        rows.append(
            {
                _t("col.instrument", lang): first["short_name_es"]
                if lang == "es"
                else first["short_name_en"],
                _t("col.targets", lang): first["targets"],
                _t("col.members_ratified", lang, year=ctx.year): _t(
                    "members_of", lang, n=sum(st == "ratified" for _, st in members), total=total
                ),
                _t("col.gap_members", lang): names["gap"],
                _t("col.later_members", lang, year=ctx.year): names["ratified_later"],
            }
        )
    return pd.DataFrame(rows)


def _instruments(ctx: Context) -> pd.DataFrame:
    # Language-independent: the report's other language reuses it.
    return shared(
        ctx,
        "sdg.instruments",
        lambda: sdg.instrument_status(
            mapping(ctx),
            ctx.ds.ratifications,
            ctx.ds.instruments,
            ctx.country,
            ctx.year,
            members=ctx.members,
        ),
    )


def instruments(ctx: Context) -> Block:
    """Return the Chart 1 instruments linked to the targets: ratified, dated later, or gaps."""
    import pandas as pd

    lang = ctx.lang
    head = heading(_t("heading.instruments", lang), 2, "sdg-instruments")
    ins = _instruments(ctx)
    if ins.empty:
        return head + paragraph(_t("instruments_none", lang))
    if ctx.regional:
        df = _region_instruments(ctx, ins)
    else:
        df = pd.DataFrame(
            {
                _t("col.instrument", lang): [
                    r["short_name_es"] if lang == "es" else r["short_name_en"]
                    for _, r in ins.iterrows()
                ],
                _t("col.targets", lang): ins["targets"].to_list(),
                _t("col.date", lang): [r["original_text"] for _, r in ins.iterrows()],
                i18n.t("label.status", lang): [
                    _instrument_line(r, lang, ctx.year).split(": ", 1)[1] for _, r in ins.iterrows()
                ],
            }
        )
    pub = publish(
        ctx, df, table_id="sdg_instruments", title=_t("heading.instruments", lang), count_columns=[]
    )
    return wrap(
        head,
        html_block(pub.to_html()),
        paragraph(_t("gap_note", lang), css="corett-note"),
        paragraph(_t("source_chart1", lang), css="corett-note"),
    )


def _plans(ctx: Context) -> pd.DataFrame:
    # Read by the targets and the summary: computed once per report (so are the two below).
    return shared(ctx, "sdg.plans", lambda: sdg.plan_links(mapping(ctx), ctx.ds.plan_items))


def _indicators(ctx: Context) -> pd.DataFrame:
    return once(
        ctx,
        "sdg.indicators",
        lambda: sdg.indicator_links(
            mapping(ctx),
            ctx.facts,
            ctx.country,
            ctx.year,
            lang=ctx.lang,
            country_names=_names(ctx),
        ),
    )


def _target_block(
    ctx: Context, target: str, plans: pd.DataFrame, inds: pd.DataFrame, ins: pd.DataFrame
) -> Block:
    import pandas as pd

    lang = ctx.lang
    m = mapping(ctx)
    rat = "rationale_es" if lang == "es" else "rationale_en"
    label = i18n.t("sdg.target", lang, code=target)
    blocks: list[Block] = [
        heading(label, 3, f"target-{target}"),
        paragraph(_code_title(ctx, target)),
    ]
    # Global indicators: computed or why not.
    g = m.global_indicators[m.global_indicators["target"] == target]
    if len(g):
        reg = ctx.facts.registry
        df = pd.DataFrame(
            {
                _t("col.code", lang): g["code"].to_list(),
                _t("col.title", lang): [_code_title(ctx, c) for c in g["code"]],
                _t("col.computed", lang): [
                    reg.get(w).name(lang) if w else "—" for w in g["workbench_indicator"]
                ],
                _t("col.reason", lang): (
                    g["reason_es"] if lang == "es" else g["reason_en"]
                ).to_list(),
            }
        )
        pub = publish(
            ctx,
            df,
            table_id=f"sdg_{target}_global",
            title=f"{label} — {_t('global_indicators', lang)}",
            count_columns=[],
        )
        blocks.append(html_block(pub.to_html()))
        if not (g["workbench_indicator"] != "").any():
            blocks.append(paragraph(_t("no_global", lang), css="corett-note"))
    # Workbench indicators and their values.
    i = inds[inds["target"] == target] if len(inds) else inds
    if len(i):
        persons, value = i18n.t("label.count", lang), _t("col.value", lang, year=ctx.year)
        facts = _indicator_facts(ctx, i, persons)
        df = pd.DataFrame(
            {
                _t("col.indicator", lang): i["label"].to_list(),
                _t("col.code", lang): i["sdg_code"].to_list(),
                _t("col.relation", lang): [_t(f"relation.{r}", lang) for r in i["relation"]],
                persons: [
                    _persons(ctx, n, c, facts.get((r, persons)))
                    for r, (n, c) in enumerate(zip(i["numerator"], i["censored"], strict=True))
                ],
                value: [
                    math.nan if d == 0 else v
                    for v, d in zip(i["value"], i["decimals"], strict=True)
                ],
                i18n.t("label.unit", lang): [
                    u if d != 0 else "" for u, d in zip(i["unit"], i["decimals"], strict=True)
                ],
                _t("col.rationale", lang): i[rat].to_list(),
            }
        )
        notes = [fact_notes.note({"flags": f, "iso3": ctx.country}, lang) for f in i["flags"]]
        if any(notes):  # a withheld share says why, as on every page
            df[i18n.t("facts.note_column", lang)] = notes
        pub = publish(
            ctx,
            df,
            table_id=f"sdg_{target}_indicators",
            title=f"{label} — {_t('col.indicators_linked', lang)}",
            count_columns=[persons],
            derived={value: persons},
            formats={value: "number:2"},
            facts=facts,
        )
        blocks.append(html_block(pub.to_html()))
        withheld = [
            i18n.t("facts.withheld", lang, what=lab, year=ctx.year)
            for lab, f in zip(i["label"], i["flags"], strict=True)
            if {"withheld", "inconsistent"} <= set(str(f).split(";"))
        ]
        if withheld:
            blocks.append(bullet_list(list(dict.fromkeys(withheld))))
    else:
        blocks.append(paragraph(_t("indicators_none", lang)))
    # Plan items and the status of plan indicators.
    p = plans[plans["target"] == target] if len(plans) else plans
    if len(p):
        df = pd.DataFrame(
            {
                _t("col.plan_item", lang): p["id"].to_list(),
                _t("col.text", lang): [_text_of(r, lang) for _, r in p.iterrows()],
                _t("col.target", lang): [
                    "" if is_missing(v) else i18n.number(float(v), lang) for v in p["target_value"]
                ],
                _t("col.plan_status", lang): [
                    status_text(s, lang) if s else "" for s in p["status"]
                ],
                _t("col.rationale", lang): p[rat].to_list(),
            }
        )
        pub = publish(
            ctx,
            df,
            table_id=f"sdg_{target}_plans",
            title=f"{label} — {_t('col.plan_items_all', lang)}",
            count_columns=[],
        )
        blocks.append(html_block(pub.to_html()))
    else:
        blocks.append(paragraph(_t("plan_none", lang)))
    # Instruments.
    n = ins[ins["targets"].str.split(", ").map(lambda xs: target in xs)] if len(ins) else ins
    if len(n) and not ctx.regional:
        blocks.append(bullet_list([_instrument_line(r, lang, ctx.year) for _, r in n.iterrows()]))
    elif len(n):
        df = _region_instruments(ctx, n)
        blocks.append(bullet_list([f"{r.iloc[0]}: {r.iloc[2]}" for _, r in df.iterrows()]))
    else:
        blocks.append(paragraph(_t("instruments_none", lang)))
    return wrap(*blocks)


def targets(ctx: Context) -> Block:
    """Return what each target rests on.

    Per target: its global indicators (computed or why not), the workbench indicators and their
    values, the plan items and their status, and the instruments ratified.
    """
    lang = ctx.lang
    plans, inds, ins = _plans(ctx), _indicators(ctx), _instruments(ctx)
    blocks = [heading(_t("heading.targets", lang), 2, "sdg-targets")]
    blocks += [_target_block(ctx, t, plans, inds, ins) for t in mapping(ctx).targets]
    blocks.append(paragraph(_t("plan_status_note", lang), css="corett-note"))
    if lang == "es":
        blocks.append(paragraph(_t("plan_text_note", lang), css="corett-note"))
    return wrap(*blocks)


def summary_table(ctx: Context) -> pd.DataFrame:
    """Return the alignment summary of the report's country and year (see :func:`sdg.alignment_summary`).

    Language-independent (titles in both languages, counts of linked indicators, plan items and
    instrument cells): computed once per country-year, the report's other language reuses it.
    """
    return shared(
        ctx,
        "sdg.summary",
        lambda: sdg.alignment_summary(
            mapping(ctx),
            plans=_plans(ctx),
            indicators=_indicators(ctx),
            instruments=_instruments(ctx),
            sdg=ctx.ds.sdg,
        ),
    ).copy()


def summary(ctx: Context) -> Block:
    """Return the alignment summary: one row per target, and a chart of what each target rests on."""
    import pandas as pd

    lang = ctx.lang
    s = summary_table(ctx)
    keys = (
        "global_computed",
        "indicators_linked",
        "indicators_with_value",
        "plan_indicators",
        "plan_items",
        "ratified",
        "gaps",
    )
    cols = {k: _t(f"col.{k}", lang, year=ctx.year) for k in keys}
    df = pd.DataFrame(
        {
            _t("col.code", lang): s["target"].to_list(),
            _t("col.title", lang): (s["title_es"] if lang == "es" else s["title_en"]).to_list(),
            **{cols[k]: [str(v) if v != "" else "—" for v in s[k]] for k in keys},
        }
    )
    pub = publish(
        ctx, df, table_id="sdg_summary", title=_t("heading.summary", lang), count_columns=[]
    )
    kinds = {
        "plan_indicators": _t("kind.plan_indicators", lang),
        "indicators_with_value": _t("kind.workbench_indicators", lang),
        "ratified": _t("kind.ratifications", lang),
    }
    chart_df = pd.DataFrame(
        [
            {
                "category": i18n.t("sdg.target", lang, code=r["target"]),
                "stack": label,
                "value": float(r[k]),
                "suppressed": False,
            }
            for _, r in s.iterrows()
            for k, label in kinds.items()
        ]
    )
    chart, alt_text = charts.stacked_bar(
        chart_df,
        lang=lang,
        title=_t("chart_title", lang, country=_country(ctx), year=ctx.year),
        x_title=_t("chart_x", lang),
        category="category",
        stack="stack",
        category_kind=None,
        stack_kind=None,
    )
    # The chart counts indicators and instruments, not people: published with no count column.
    data = publish_chart(
        ctx,
        chart_df[["category", "stack", "value"]],
        chart_id="sdg_summary_chart",
        title=_t("chart_title", lang, country=_country(ctx), year=ctx.year),
        count_columns=[],
    )
    return wrap(
        heading(_t("heading.summary", lang), 2, "sdg-summary"),
        html_block(pub.to_html()),
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(data.html_data()),
    )


def about_mapping(ctx: Context) -> Block:
    """Return the section on the mapping.

    How the links were made and reviewed, the plan indicators left unlinked, the targets the
    workbench cannot compute a global indicator for, and the sources.
    """
    import pandas as pd

    lang = ctx.lang
    m = mapping(ctx)
    links = m.links
    reason = "reason_es" if lang == "es" else "reason_en"
    blocks: list[Block] = [
        heading(_t("heading.mapping", lang), 2, "sdg-mapping"),
        paragraph(
            _t(
                "review_note",
                lang,
                reviewed_by=m.review.get("reviewed_by", ""),
                reviewed_on=i18n.date(m.review.get("reviewed_on", "2026-11-23"), lang),
            )
        ),
        paragraph(
            _t(
                "counts",
                lang,
                links=len(links),
                plan=int((links["from_kind"] == "plan_item").sum()),
                indicators=int((links["from_kind"] == "indicator").sum()),
                instruments=int((links["from_kind"] == "instrument").sum()),
                not_related=len(m.not_related),
            )
        ),
    ]
    un = sdg.uncomputable_targets(m)
    if len(un):
        blocks.append(
            paragraph(
                _t("uncomputed", lang, targets=", ".join(sdg_mapping.sort_codes(un["target"])))
            )
        )
    if len(m.not_related):
        items = ctx.ds.plan_items.set_index("id")
        df = pd.DataFrame(
            {
                _t("col.plan_item", lang): m.not_related["plan_item"].to_list(),
                _t("col.text", lang): [
                    _text_of(items.loc[i], lang) if i in items.index else ""
                    for i in m.not_related["plan_item"]
                ],
                _t("col.reason", lang): m.not_related[reason].to_list(),
            }
        )
        blocks.append(heading(_t("heading.not_related", lang), 3))
        pub = publish(
            ctx,
            df,
            table_id="sdg_not_related",
            title=_t("heading.not_related", lang),
            count_columns=[],
        )
        blocks.append(html_block(pub.to_html()))
    blocks.append(
        bullet_list(
            [
                _t("source_mapping", lang),
                i18n.t("source.sdg_texts", lang),
                _t("source_chart1", lang),
                i18n.t("source.unodc", lang),
                i18n.t("source.population", lang),
            ]
        )
    )
    blocks.append(paragraph(i18n.t("note.suppressed", lang, threshold=ctx.k), css="corett-note"))
    return wrap(*blocks)


def suppression_ledger(ctx: Context) -> Block:
    """Return what disclosure control suppressed in this report, table by table (the report's last section)."""
    return with_downloads(html_block(ctx.ledger.to_html(ctx.lang)), ctx)


__all__ = [
    "about_mapping",
    "breakdown",
    "instruments",
    "mapping",
    "progress",
    "series",
    "summary",
    "summary_table",
    "suppression_ledger",
    "targets",
    "title",
]
