"""Sections of the annual report (``notebooks/annual_report.ipynb``), one function per section.

Each function takes the report's :class:`~corett_lib.reporting.context.Context` and returns a
:class:`~corett_lib.reporting.context.Block` the notebook displays. Figures come from the indicator engine
(:mod:`corett_lib.facts.engine`: source precedence, regional rule, censoring); every table and
chart goes through :func:`corett_lib.reporting.context.publish` (disclosure control, one ledger per report); charts
are inline SVG (:mod:`corett_lib.reporting.charts`); words come from the message catalogues
(:func:`corett_lib.core.i18n.t`, section ``annual`` of ``corett_lib/core/messages/{en,es}.yaml``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corett_lib.analysis.monitoring import plan_actuals
from corett_lib.analysis.status import is_missing, status_text
from corett_lib.analysis.status import plan_progress as progress
from corett_lib.core import i18n
from corett_lib.core.problems import Problem, scope
from corett_lib.dataset.monitoring import ILLUSTRATIVE_FILE, MONITORED_PLANS, YEAR_RANGE
from corett_lib.facts.view import indicator_table
from corett_lib.publishing.fact_disclosure import fact_key, facts_for
from corett_lib.publishing.linked import facts_of
from corett_lib.reporting import charts, fact_notes
from corett_lib.reporting.context import (
    Block,
    Context,
    bullet_list,
    esc,
    heading,
    html_block,
    monitoring,
    paragraph,
    publish,
    publish_chart,
    shared,
    with_downloads,
    wrap,
)
from corett_lib.validation.scoped import is_scoped

if TYPE_CHECKING:
    import pandas as pd


VICTIMS = "Detected trafficking victims"
REPATRIATED = "Repatriated victims"

VICTIM_BREAKDOWNS: tuple[tuple[str, str], ...] = (("sex", "sex"), ("age", "age"))

#: The breakdowns whose parts the data-quality notes check against their totals.
_ALL_PARTS: tuple[str, ...] = ("total", "sex", "age", "sex_age", "form", "citizenship")


# --------------------------------------------------------------------------- helpers


def indicators(
    ctx: Context,
    ids: list[str],
    *,
    countries: list[str] | None = None,
    years: list[int] | None = None,
    disaggregations: tuple[str, ...] = ("total",),
) -> pd.DataFrame:
    """Return the engine's indicator table for the report (its country and year by default)."""
    return indicator_table(
        ctx.facts,
        countries=countries or [ctx.country],
        years=years or [ctx.year],
        indicators=ids,
        disaggregations=disaggregations,
        lang=ctx.lang,
        country_names=ctx.ds.countries if len(ctx.ds.countries) else None,
    )


def _count(row: Any) -> Any:
    """Return a count cell (:func:`corett_lib.reporting.fact_notes.count_cell`)."""
    return fact_notes.count_cell(row)


def source_name(source: object, lang: str) -> str:
    """Return a source as the report names it (several sources joined by ``;``)."""
    out = []
    for s in str(source or "").split(";"):
        s = s.strip()
        if s == "CORETT":
            out.append(i18n.t("source.corett", lang))
        elif s == "UNODC":
            out.append("UNODC (GLOTIP)")
        elif s.startswith("sum of members"):
            out.append(i18n.t("annual.sum_of_members", lang) + s[len("sum of members") :])
        elif s:
            out.append(s)
    return "; ".join(out) or i18n.t("label.not_available", lang)


def _no_data(ctx: Context) -> Block:
    name = i18n.country_name(ctx.country, ctx.lang)
    return paragraph(i18n.t("annual.no_data_section", ctx.lang, country=name, year=ctx.year))


def _has_value(df: pd.DataFrame) -> pd.Series:
    return df["censored"].astype(bool) | df["value"].notna()


def _precedence_text(ctx: Context) -> str:
    return ", ".join(ctx.facts.registry.defaults.precedence)


# --------------------------------------------------------------------------- sections


def title(ctx: Context) -> Block:
    """Return the report's title and subtitle."""
    name = i18n.country_name(ctx.country, ctx.lang)
    return wrap(
        heading(i18n.t("report.annual.title", ctx.lang, country=name, year=ctx.year), 1),
        paragraph(i18n.t("annual.generated", ctx.lang), css="corett-note"),
    )


def headline(ctx: Context) -> Block:
    """Return the headline figures.

    Detected victims with the source named, the change on the previous year and the SDG 16.2.2 rate
    per 100,000 population.
    """
    import pandas as pd

    lang = ctx.lang
    head = heading(i18n.t("section.headline", lang), 2, "headline")
    t = indicators(ctx, ["victims", "victims_change", "victims_rate"]).set_index("indicator_id")
    victims = t.loc["victims"]
    if not (bool(victims["censored"]) or not is_missing(victims["value"])):
        return head + _no_data(ctx)
    before = indicators(ctx, ["victims"], years=[ctx.year - 1]).iloc[0]
    name = t.loc["victims", "label"]
    now_col, before_col = f"{name} {ctx.year}", f"{name} {ctx.year - 1}"
    change_col, rate_col = t.loc["victims_change", "label"], t.loc["victims_rate", "label"]
    src_col = i18n.t("label.source", lang)
    df = pd.DataFrame(
        {
            now_col: [_count(victims)],
            before_col: [_count(before)],
            change_col: [t.loc["victims_change", "value"]],
            rate_col: [t.loc["victims_rate", "value"]],
            src_col: [source_name(victims["source"], lang)],
        }
    )
    pub = publish(
        ctx,
        df,
        table_id="headline",
        title=i18n.t("section.headline", lang),
        count_columns=[now_col, before_col],
        derived={change_col: [now_col, before_col], rate_col: now_col},
        formats={change_col: "number:1", rate_col: "number:2"},
        facts={
            **facts_for(t.reset_index().iloc[[0]], now_col),
            **facts_for(before.to_frame().T, before_col),
        },
    )
    shown, status = pub.display.iloc[0], pub.status.iloc[0]
    items = [
        i18n.t("annual.headline_victims", lang, value=shown[now_col], year=ctx.year)
        + ". "
        + i18n.t("source.line", lang, source=source_name(victims["source"], lang))
    ]
    change = t.loc["victims_change", "value"]
    if not is_missing(change) and not status[change_col]:
        sign = "+" if float(change) > 0 else ""
        items.append(
            i18n.t(
                "annual.change",
                lang,
                change=sign + i18n.percent(float(change), lang, 1, fraction=False),
                previous_year=ctx.year - 1,
                previous=shown[before_col],
            )
        )
    else:
        items.append(i18n.t("annual.no_previous", lang, previous_year=ctx.year - 1))
    rate = t.loc["victims_rate"]
    if not is_missing(rate["value"]) and not status[rate_col]:
        items.append(
            i18n.t(
                "annual.rate",
                lang,
                rate=shown[rate_col],
                population=i18n.number(rate["denominator"], lang),
            )
        )
    elif "no_population" in str(rate.get("flags", "")).split(";"):
        # Withheld: the page says why (a member without a population figure).
        items.append(f"{rate_col}: {fact_notes.note({**rate, 'iso3': ctx.country}, lang)}")
    if ctx.regional:
        items += fact_notes.coverage_lines(ctx, t.reset_index().iloc[[0]])
        # A regional rate covers only the members with a population: said, never silently.
        items += fact_notes.no_population_lines(ctx, rate)
    # A figure flagged by the data-quality review, and a change or rate computed from one, say so.
    shown_facts = pd.concat(
        [t.reset_index().iloc[[0]], before.to_frame().T, t.reset_index().iloc[1:]]
    )
    flagged = fact_notes.quality_lines(ctx, shown_facts)
    return wrap(
        head,
        bullet_list(items, css="corett-headline"),
        html_block(pub.to_html()),
        bullet_list(flagged, css="corett-quality") if flagged else None,
    )


def trend(ctx: Context) -> Block:
    """Return the detected victims over the ten years up to the report's year: a line chart and its table."""
    import pandas as pd

    lang = ctx.lang
    head = heading(i18n.t("section.trend", lang), 2, "trend")
    t = indicators(ctx, ["victims"], years=list(range(ctx.year - 9, ctx.year + 1)))
    t = t[_has_value(t)]
    if t.empty:
        return head + _no_data(ctx)
    name = t["label"].iloc[0]
    year_col, src_col = i18n.t("label.year", lang), i18n.t("label.source", lang)
    df = pd.DataFrame(
        {
            year_col: t["year"].astype(int).to_list(),
            name: [_count(r) for _, r in t.iterrows()],
            src_col: [source_name(s, lang) for s in t["source"]],
        }
    )
    data = publish_chart(
        ctx, df, chart_id="trend", title=name, count_columns=[name], facts=facts_for(t, name)
    )
    pub = data.table
    # A range shown in the table (a sum with censored parts) is drawn at its midpoint: the bounds
    # differ by a few units in hundreds, and the table beneath gives them.
    drawn = [
        (float(c.low) + float(c.high)) / 2 if st == "" and getattr(c, "censored", False) else v
        for c, v, st in zip(df[name], pub.values[name], pub.status[name], strict=True)
    ]
    chart_df = pd.DataFrame(
        {
            "year": df[year_col],
            "value": drawn,
            "suppressed": pub.status[name] != "",
            "status": pub.status[name],  # why: the alt text says it (only primary is "<k")
            "flagged": fact_notes.quality_flagged(ctx, t).to_list(),
        }
    )
    country = i18n.country_name(ctx.country, lang)
    chart, alt_text = charts.trend_chart(
        chart_df,
        lang=lang,
        title=f"{name}, {country}",
        y_title=name,
        threshold=ctx.k,
        flagged="flagged",
        status="status",
    )
    flagged = fact_notes.quality_lines(ctx, t)
    return wrap(
        head,
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(data.html_data({name: name})),
        html_block(pub.to_html()),
        bullet_list(flagged, css="corett-quality") if flagged else None,
    )


def _breakdown(ctx: Context, indicator_id: str, disaggregation: str, table_id: str) -> Block | None:
    """One breakdown of an indicator for the report's country and year, with its total row."""
    import pandas as pd

    lang = ctx.lang
    t = indicators(ctx, [indicator_id], disaggregations=("total", disaggregation))
    parts = t[(t["disaggregation"] == disaggregation) & _has_value(t)]
    if parts.empty:
        return None
    total = t[t["disaggregation"] == "total"]
    rows = pd.concat([parts, total]) if len(total) and _has_value(total).all() else parts
    cat_col = rows["disaggregation_label"].iloc[0]
    name = rows["label"].iloc[0]
    year_col, src_col = i18n.t("label.year", lang), i18n.t("label.source", lang)
    total_label = i18n.t("label.total", lang)
    df = pd.DataFrame(
        {
            year_col: [ctx.year] * len(rows),
            cat_col: [
                total_label if d == "total" else c
                for d, c in zip(rows["disaggregation"], rows["category_label"], strict=True)
            ],
            name: [_count(r) for _, r in rows.iterrows()],
            src_col: [source_name(s, lang) for s in rows["source"]],
        }
    )
    quality_notes = fact_notes.quality_note(ctx, rows)
    notes = [
        "; ".join(n for n in (fact_notes.note(r, lang), q) if n)
        for (_, r), q in zip(rows.iterrows(), quality_notes, strict=True)
    ]
    if any(notes):  # the same mark, on every page that shows these parts
        df[i18n.t("facts.note_column", lang)] = notes
    has_total = bool((df[cat_col] == total_label).any())
    # Each count names its fact (language-independent), so the scanner audits the page's tables
    # together: the total row is the same fact in every breakdown of the indicator.
    keys = rows[["iso3", "year", "indicator_id", "disaggregation", "category"]]
    facts = facts_of(keys.reset_index(drop=True).assign(n=0), "n", list(keys.columns))
    pub = publish(
        ctx,
        df,
        table_id=table_id,
        title=f"{name} — {cat_col}",
        count_columns=[name],
        group_by=[year_col],
        group_total={cat_col: total_label} if has_total else None,
        facts={(r, name): f for (r, _), f in facts.items()},
    )
    lines = fact_notes.inconsistency_lines(ctx, t)
    if ctx.regional:
        lines += fact_notes.coverage_lines(ctx, parts)
    lines += fact_notes.quality_lines(ctx, rows)
    return wrap(html_block(pub.to_html()), bullet_list(lines) if lines else None)


def _published_shares(
    ctx: Context, indicator: str, dimension: str, table_id: str, label_kind: str = "category"
) -> Block | None:
    """Return the shares (unit ``Percent``) a source published for the report's country and year.

    For example CORETT's 2019 regional composition; shown as published, with what they add up to.
    """
    import pandas as pd

    lang = ctx.lang
    obs = ctx.ds.observations
    rows = obs[
        (obs["iso3"] == ctx.country)
        & (obs["year"] == ctx.year)
        & (obs["indicator"] == indicator)
        & (obs["dimension"] == dimension)
        & (obs["unit"] == "Percent")
        & obs["value"].notna()
    ]
    if rows.empty:
        return None
    rows = rows.sort_values(["source", "value"], ascending=[True, False], kind="mergesort")
    blocks = []
    for source, part in rows.groupby("source", sort=True):
        if dimension == "Total":
            labels = [
                " · ".join(
                    i18n.label(kind, v, lang)
                    for v, kind in ((sex, "sex"), (age, "age"))
                    if v != "Total"
                )
                for sex, age in zip(part["sex"], part["age"], strict=True)
            ]
        else:
            labels = [i18n.label(label_kind, c, lang) for c in part["category"]]
        share = i18n.t("annual.share", lang)
        df = pd.DataFrame(
            {
                i18n.t("label.category", lang): labels,
                share: [i18n.percent(float(v), lang, fraction=False) for v in part["value"]],
            }
        )
        title = i18n.t(
            "annual.shares",
            lang,
            source=source_name(source, lang),
            year=ctx.year,
            total=i18n.percent(float(part["value"].sum()), lang, fraction=False),
        )
        pub = publish(
            ctx,
            df,
            table_id=f"{table_id}_{source}".lower(),
            title=title,
            count_columns=[],  # shares, not counts of people: shown as published
        )
        blocks.append(html_block(pub.to_html()))
    return wrap(*blocks)


def _section(ctx: Context, key: str, anchor: str, blocks: list[Block | None]) -> Block:
    head = heading(i18n.t(key, ctx.lang), 2, anchor)
    shown = [b for b in blocks if b is not None]
    return wrap(head, *shown) if shown else head + _no_data(ctx)


def victims_by_sex_age(ctx: Context) -> Block:
    """Return the detected victims by sex and by age group."""
    return _section(
        ctx,
        "section.victims_by_sex_age",
        "sex_age",
        [
            *(_breakdown(ctx, "victims", d, f"victims_{d}") for d, _ in VICTIM_BREAKDOWNS),
            _published_shares(ctx, VICTIMS, "Total", "shares_sex_age"),
        ],
    )


def by_form(ctx: Context) -> Block:
    """Return the detected victims by form of exploitation."""
    return _section(
        ctx,
        "section.by_form",
        "form",
        [
            _breakdown(ctx, "victims", "form", "victims_form"),
            _published_shares(ctx, VICTIMS, "by form of exploitation", "shares_form"),
        ],
    )


def by_citizenship(ctx: Context) -> Block:
    """Return the detected victims by citizenship (domestic or foreign)."""
    return _section(
        ctx,
        "section.by_citizenship",
        "citizenship",
        [
            _breakdown(ctx, "victims", "citizenship", "victims_citizenship"),
            _published_shares(ctx, VICTIMS, "by citizenship", "shares_citizenship", "citizenship"),
        ],
    )


def _yearly(ctx: Context, ids: list[str], table_id: str, derived: dict[str, str]) -> Block | None:
    """Return a table of indicators (columns) for the previous year and the report's year (rows)."""
    import pandas as pd

    lang = ctx.lang
    t = indicators(ctx, ids, years=[ctx.year - 1, ctx.year])
    if not _has_value(t).any():
        return None
    names = dict(zip(t["indicator_id"], t["label"], strict=False))
    year_col, src_col = i18n.t("label.year", lang), i18n.t("label.source", lang)
    rows = []
    facts: dict[tuple[int, str], str] = {}
    for n, year in enumerate((ctx.year - 1, ctx.year)):
        ty = t[t["year"] == year].set_index("indicator_id")
        row: dict[str, Any] = {year_col: year}
        for i in ids:
            r = ty.loc[i]
            row[names[i]] = r["value"] if i in derived else _count(r)
            if i not in derived:
                facts[(n, names[i])] = fact_key(r["iso3"], year, i, "total", "Total")
        row[src_col] = source_name(
            ";".join(dict.fromkeys(s for s in ty["source"] if isinstance(s, str) and s)), lang
        )
        rows.append(row)
    counts = [names[i] for i in ids if i not in derived]
    pub = publish(
        ctx,
        pd.DataFrame(rows),
        table_id=table_id,
        title=", ".join(names[i] for i in ids),
        count_columns=counts,
        derived={names[d]: [names[c] for c in src.split(",")] for d, src in derived.items()},
        formats={names[d]: "number:2" for d in derived},
        facts=facts,
    )
    lines = fact_notes.coverage_lines(ctx, t[t["year"] == ctx.year]) if ctx.regional else []
    lines += fact_notes.quality_lines(ctx, t[_has_value(t)])
    return wrap(html_block(pub.to_html()), bullet_list(lines) if lines else None)


def repatriations(ctx: Context) -> Block:
    """Repatriated victims in the previous year and the report's year."""
    return _section(
        ctx,
        "section.repatriations",
        "repatriations",
        [
            _yearly(ctx, ["repatriated"], "repat", {}),
            _published_shares(ctx, REPATRIATED, "Total", "shares_repatriated"),
        ],
    )


def prosecutions_convictions(ctx: Context) -> Block:
    """Persons prosecuted and convicted, and convictions per prosecution."""
    block = _yearly(
        ctx,
        ["prosecuted", "convicted", "convictions_per_prosecution"],
        "justice",
        {"convictions_per_prosecution": "prosecuted,convicted"},
    )
    return _section(ctx, "section.prosecutions_convictions", "justice", [block])


def comparison(ctx: Context) -> Block | None:
    """Regional report only: detected victims and the rate per 100,000 of every member."""
    if not ctx.regional:
        return None
    import pandas as pd

    lang = ctx.lang
    t = indicators(ctx, ["victims", "victims_rate"], countries=list(ctx.members))
    v = t[t["indicator_id"] == "victims"].set_index("iso3").reindex(list(ctx.members))
    r = t[t["indicator_id"] == "victims_rate"].set_index("iso3").reindex(list(ctx.members))
    name, rate = v["label"].dropna().iloc[0], r["label"].dropna().iloc[0]
    member_col, src_col = i18n.t("label.member", lang), i18n.t("label.source", lang)
    df = pd.DataFrame(
        {
            member_col: [i18n.country_name(c, lang) for c in ctx.members],
            name: [_count(row) for _, row in v.iterrows()],
            rate: r["value"].to_list(),
            src_col: [source_name(s, lang) for s in v["source"]],
        }
    )
    data = publish_chart(
        ctx,
        df,
        chart_id="comparison",
        title=i18n.t("section.comparison", lang),
        count_columns=[name],
        derived={rate: name},
        formats={rate: "number:2"},
        facts=facts_for(v.reset_index(), name),
    )
    pub = data.table
    chart_df = pd.DataFrame(
        {
            "iso3": list(ctx.members),
            "value": pub.values[rate].to_list(),
            "suppressed": (pub.status[rate] != "").to_list(),
            "status": pub.status[name].to_list(),  # the count's: why its rate is hidden
        }
    )
    chart, alt_text = charts.comparison_chart(
        chart_df,
        lang=lang,
        title=f"{rate}, {ctx.year}",
        x_title=rate,
        decimals=2,
        threshold=ctx.k,
        status="status",
    )
    return wrap(
        heading(i18n.t("section.comparison", lang), 2, "comparison"),
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(data.html_data({name: name})),
        html_block(pub.to_html()),
    )


#: Words of a plan indicator's unit that make its actuals counts of cases (possible victims): those
#: tables go through disclosure control; the others count activities and outputs (campaigns, people
#: trained, deliverables) and are marked exempt for the scanner.
CASE_UNIT_WORDS: tuple[str, ...] = ("case", "referral", "complaint", "denounce", "victim")


def _axis_of(items: pd.DataFrame) -> dict[str, str]:
    """Return ``{plan item id: id of its axis}`` by walking ``parent_id`` up to a ``level == axis``."""
    parent = dict(zip(items["id"].astype(str), items["parent_id"], strict=True))
    level = dict(zip(items["id"].astype(str), items["level"], strict=True))
    out: dict[str, str] = {}
    for item in parent:
        node: Any = item
        for _ in range(10):  # plans are a few levels deep; a cycle stops here
            if not isinstance(node, str) or node not in level or level[node] == "axis":
                break
            node = parent[node]
        if isinstance(node, str) and level.get(node) == "axis":
            out[item] = node
    return out


def plan_table(ctx: Context) -> pd.DataFrame:
    """Return the plans' indicators with targets and actuals for the report's scope and year.

    Actuals are :func:`corett_lib.analysis.monitoring.plan_actuals` (cumulative from the plans' first year; the
    sum over members for the regional report); status and achievement ratio are
    :func:`corett_lib.analysis.status.plan_progress`, except that an indicator whose desired
    direction is ``ambiguous`` is always ``context`` (never judged, target or not).

    Returns
    -------
    pandas.DataFrame
        One row per indicator of a monitored plan: ``id, axis, text, target, target_text, actual,
        achievement_ratio, direction, status, illustrative, actual_source, cases``; in plan order.
    """
    return _plan_table(ctx).copy()


def _plan_table(ctx: Context) -> pd.DataFrame:
    """Return :func:`plan_table`, computed once per country-year and shared by both languages.

    The sections only select from it.
    """
    return shared(ctx, "annual.plan_table", lambda: _compute_plan_table(ctx))


def _compute_plan_table(ctx: Context) -> pd.DataFrame:
    items = ctx.ds.plan_items
    inds = items[(items["level"] == "indicator") & items["plan"].isin(MONITORED_PLANS)]
    actuals = plan_actuals(
        monitoring(ctx.ds), ctx.country, ctx.year, members=list(ctx.members), cumulative=True
    )
    out = progress(inds, actuals)
    illustrative = dict(zip(actuals["plan_id"], actuals["illustrative"].astype(bool), strict=True))
    axis = _axis_of(items)
    order = {i: n for n, i in enumerate(inds["id"])}
    out = out.assign(
        axis=[axis.get(str(i), "") for i in out["id"]],
        text=out["text_en"].fillna("").astype(str),
        illustrative=[illustrative.get(i, False) for i in out["id"]],
        cases=[
            any(w in str(u).casefold() for w in CASE_UNIT_WORDS) for u in out["unit"].fillna("")
        ],
        order=[order[i] for i in out["id"]],
    )
    out.loc[out["direction"] == "ambiguous", "status"] = "context"
    out = out.sort_values("order", kind="mergesort").reset_index(drop=True)
    cols = [
        "id",
        "axis",
        "text",
        "target",
        "target_text",
        "actual",
        "achievement_ratio",
        "direction",
        "status",
        "illustrative",
        "actual_source",
        "cases",
    ]
    return out[cols]


def _monitoring_source(source: str, lang: str) -> str:
    """Return a monitoring row's ``source`` as the report names it: the illustrative set by its file."""
    if source.startswith("illustrative"):
        short = i18n.t("banner.illustrative_short", lang)
        return f"{short}, data/monitoring/{ILLUSTRATIVE_FILE}"
    return source


def _period(first: int, last: int) -> str:
    """``2019`` or ``2019–2022``."""
    return str(last) if last <= first else f"{first}–{last}"


def _illustrative_banner(lang: str) -> Block:
    """Return the banner of a section whose figures are (partly) illustrative."""
    msg = i18n.t("banner.illustrative", lang)
    return html_block(
        f'<div class="corett-banner corett-illustrative" role="note"><strong>'
        f"{esc(i18n.t('banner.illustrative_short', lang).upper())}</strong> — {esc(msg)}</div>",
        msg,
    )


def _plan_axis_tables(ctx: Context, rows: pd.DataFrame, axis_name: str) -> list[Block]:
    """Return the tables of one axis.

    Outputs (marked exempt: no victim counts) and, when the axis has indicators counting cases, those
    through :func:`corett_lib.reporting.context.publish`.
    """
    import pandas as pd

    lang = ctx.lang
    first = YEAR_RANGE[0]
    ind_col, target_col = i18n.t("label.indicator", lang), i18n.t("label.target", lang)
    actual_col = i18n.t("annual.plan_actual", lang, period=_period(first, ctx.year))
    ratio_col, dir_col = i18n.t("annual.plan_ratio", lang), i18n.t("annual.plan_direction", lang)
    status_col, data_col = i18n.t("label.status", lang), i18n.t("annual.plan_data", lang)

    def frame(part: pd.DataFrame, actual_as_count: bool) -> pd.DataFrame:
        return pd.DataFrame(
            {
                ind_col: [f"{i} · {t}" for i, t in zip(part["id"], part["text"], strict=True)],
                target_col: [
                    i18n.number(v, lang)
                    if not is_missing(v)
                    else i18n.t("annual.plan_no_target", lang)
                    for v in part["target"]
                ],
                actual_col: [
                    (float(v) if not is_missing(v) else float("nan"))
                    if actual_as_count
                    else (i18n.number(v, lang) if not is_missing(v) else "–")
                    for v in part["actual"]
                ],
                ratio_col: [
                    float(v) if not is_missing(v) else float("nan")
                    for v in part["achievement_ratio"]
                ]
                if actual_as_count
                else [
                    i18n.number(v, lang, 2) if not is_missing(v) else "–"
                    for v in part["achievement_ratio"]
                ],
                dir_col: [i18n.t(f"sdg.direction.{d}", lang) for d in part["direction"]],
                status_col: [status_text(s, lang) for s in part["status"]],
                data_col: [
                    i18n.t("annual.plan_illustrative" if x else "annual.plan_reported", lang)
                    if not is_missing(a)
                    else "–"
                    for x, a in zip(part["illustrative"], part["actual"], strict=True)
                ],
            }
        )

    axis_key = str(rows["axis"].iloc[0]).lower().replace(".", "_")
    blocks: list[Block] = []
    outputs, cases = rows[~rows["cases"]], rows[rows["cases"]]
    if len(outputs):  # activities and outputs (campaigns, people trained): no counts of victims
        pub = publish(
            ctx,
            frame(outputs, False),
            table_id=f"plan_outputs_{axis_key}",
            title=axis_name,
            count_columns=[],
        )
        blocks.append(html_block(pub.to_html(caption=False)))
    if len(cases):
        df = frame(cases, True)
        pub = publish(
            ctx,
            df,
            table_id=f"plan_cases_{axis_key}",
            title=i18n.t("annual.plan_cases", lang, axis=axis_name),
            count_columns=[actual_col],
            derived={ratio_col: actual_col},
            formats={ratio_col: "number:2"},
        )
        blocks.append(html_block(pub.to_html()))
    return blocks


def plan_progress(ctx: Context) -> Block:
    """Return the progress of the plans' indicators by axis.

    Targets vs actuals (cumulative from 2019), the achievement ratio and a status that respects the
    desired direction, under an illustrative banner while any actual is illustrative.
    """
    lang = ctx.lang
    head = heading(i18n.t("section.plan_progress", lang), 2, "plan")
    items = ctx.ds.plan_items
    if items is None or items.empty or "level" not in items:
        return head + paragraph(i18n.t("annual.plan_none", lang, year=ctx.year))
    table = _plan_table(ctx)
    if table.empty or table["actual"].isna().all():
        return head + paragraph(i18n.t("annual.plan_none", lang, year=ctx.year))
    by_id = items.set_index("id")
    text_col = "text_es" if lang == "es" else "text_en"
    scope = (
        i18n.t("evaluation.scope_region", lang)
        if ctx.regional
        else i18n.country_name(ctx.country, lang)
    )
    blocks: list[Block | None] = [
        head,
        _illustrative_banner(lang) if table["illustrative"].any() else None,
        paragraph(
            i18n.t("annual.plan_intro", lang, scope=scope, period=_period(YEAR_RANGE[0], ctx.year))
        ),
        paragraph(i18n.t("annual.plan_text_language", lang), css="corett-note"),
    ]
    for axis_id, rows in table.groupby("axis", sort=False):
        if not axis_id:
            continue
        name = str(by_id.at[axis_id, text_col] or by_id.at[axis_id, "text_en"])
        blocks.append(heading(f"{axis_id} · {name}", 3))
        blocks.extend(_plan_axis_tables(ctx, rows, name))
    sources = sorted(
        {
            _monitoring_source(part, lang)
            for s in table["actual_source"].dropna().astype(str)
            for part in s.split("; ")
            if part
        }
    )
    if sources:
        blocks.append(
            paragraph(
                i18n.t("annual.plan_sources", lang, sources="; ".join(sources)), "corett-note"
            )
        )
    return wrap(*blocks)


def plan_quality_note(ctx: Context) -> Block | None:
    """Return the data-quality note on the plan's actuals: how many are illustrative (None without actuals)."""
    items = ctx.ds.plan_items
    if items is None or items.empty or "level" not in items:
        return None
    table = _plan_table(ctx)
    with_actual = table[table["actual"].notna()]
    if with_actual.empty:
        return None
    n = int(with_actual["illustrative"].sum())
    if n:
        return paragraph(
            i18n.t("annual.plan_quality_illustrative", ctx.lang, n=n, total=len(with_actual)),
            css="corett-illustrative",
        )
    return paragraph(i18n.t("annual.plan_quality_reported", ctx.lang))


def data_quality(ctx: Context) -> Block:
    """Return the data-quality notes.

    Differences between sources, censored values, regional coverage and the validation warnings that
    concern the report.
    """
    lang = ctx.lang
    head = heading(i18n.t("section.data_quality", lang), 2, "quality")
    blocks: list[Block] = [head]
    obs = ctx.ds.observations
    scope = [*ctx.members, ctx.country] if ctx.regional else [ctx.country]
    here = obs[obs["iso3"].isin(scope) & (obs["year"] == ctx.year)]
    n_cens = int(here["censored"].fillna(False).astype(bool).sum())
    if n_cens:
        blocks += [
            paragraph(i18n.t("annual.censored_count", lang, n=n_cens)),
            paragraph(i18n.t("note.censored", lang), css="corett-note"),
        ]
    plan_note = plan_quality_note(ctx)
    if plan_note is not None:
        blocks.append(plan_note)
    t = indicators(ctx, ["victims", "prosecuted", "convicted", "repatriated"])
    for _, row in t[t["flags"].astype(str).str.contains("range")].iterrows():
        blocks.append(
            paragraph(
                i18n.t(
                    "annual.range",
                    lang,
                    what=row["label"],
                    low=i18n.number(row["value_low"], lang),
                    high=i18n.number(row["value_high"], lang),
                )
            )
        )
    differences = fact_notes.source_lines(ctx)
    if not differences:
        blocks.append(paragraph(i18n.t("annual.no_differences", lang)))
    else:
        blocks.append(bullet_list(differences))
    inconsistent = fact_notes.inconsistency_lines(
        ctx, indicators(ctx, ["victims", "prosecuted", "convicted"], disaggregations=_ALL_PARTS)
    )
    if inconsistent:
        blocks.append(bullet_list(inconsistent))
    if ctx.regional:
        lines = fact_notes.coverage_lines(ctx, t)
        if lines:
            blocks.append(bullet_list(lines))
    blocks += warning_notes(ctx)
    return wrap(*blocks)


WARNINGS_SHOWN = 15
"""At most this many validation warnings are listed on a page; the rest are counted."""


def report_warnings(ctx: Context) -> tuple[list[Problem], int]:
    """Return the validation warnings a report lists, and how many more concern its country.

    Scoped errors (figures withheld, see :mod:`corett_lib.validation.scoped`) are listed as
    warnings are, so the page says why a figure is missing. The count is of the warnings about the
    report's country in other years.

    A member's report lists the warnings about that member in the report's year, and those about the
    member with no year (e.g. a ratification date). The regional report lists those about any member in
    its year, and those about a source file as a whole (repeated keys, characters lost in the export).
    """
    listed: list[Problem] = []
    other_years = 0
    # Figures withheld by a scoped error are listed too: the page says why they are missing.
    for p in [*ctx.ds.warnings, *(e for e in ctx.ds.errors if is_scoped(e))]:
        iso3, year = scope(p)
        if ctx.regional:
            if (iso3 in ctx.members and year == ctx.year) or iso3 is None:
                listed.append(p)
        elif iso3 == ctx.country:
            if year in (None, ctx.year):
                listed.append(p)
            else:
                other_years += 1
    return listed, other_years


def warning_notes(ctx: Context) -> list[Block]:
    """Return the data-quality paragraphs on validation warnings, in the report's language.

    The check's name and the location are translated; the validation's own sentence is quoted as
    written (English), and the page says so.
    """
    lang = ctx.lang
    listed, other_years = report_warnings(ctx)
    if ctx.regional:
        head = (
            i18n.t("annual.warnings_region", lang, n=len(listed), year=ctx.year)
            if listed
            else i18n.t("annual.no_warnings_region", lang, year=ctx.year)
        )
    else:
        head = (
            i18n.t("annual.warnings", lang, n=len(listed))
            if listed
            else i18n.t("annual.no_warnings", lang)
        )
    blocks: list[Block] = [paragraph(head)]
    if listed:
        items = []
        for p in listed[:WARNINGS_SHOWN]:
            try:
                check = i18n.t(f"check.{p.check}", lang)
            except KeyError:  # a check without a catalogue name yet: its id
                check = p.check
            rows = ", ".join(str(r) for r in p.rows[:5]) + (" …" if len(p.rows) > 5 else "")
            location = (
                i18n.t("annual.warning_location", lang, file=p.file, rows=rows) if rows else p.file
            )
            items.append(
                i18n.t(
                    "annual.warning_item", lang, check=check, location=location, message=p.message
                )
            )
        blocks.append(bullet_list(items))
        if len(listed) > WARNINGS_SHOWN:
            blocks.append(
                paragraph(i18n.t("annual.warnings_more", lang, n=len(listed) - WARNINGS_SHOWN))
            )
        blocks.append(paragraph(i18n.t("annual.warnings_quoted", lang), css="corett-note"))
    if other_years:
        blocks.append(
            paragraph(i18n.t("annual.warnings_other_years", lang, n=other_years), css="corett-note")
        )
    return blocks


def methodology(ctx: Context) -> Block:
    """Methodology and sources: precedence, definitions, sources, disclosure control."""
    lang = ctx.lang
    reg = ctx.facts.registry
    shown = ["victims", "victims_rate", "victims_change", "repatriated", "prosecuted", "convicted"]
    definitions = [
        f"{reg.get(i).name(lang)}: "
        + (reg.get(i).definition_en if lang == "en" else reg.get(i).definition_es)
        for i in shown
    ]
    sources = [
        i18n.t("source.unodc", lang),
        i18n.t("source.corett", lang),
        i18n.t("source.population", lang),
    ]
    return wrap(
        heading(i18n.t("section.methodology", lang), 2, "methodology"),
        paragraph(i18n.t("annual.precedence", lang, precedence=_precedence_text(ctx))),
        heading(i18n.t("annual.definitions", lang), 3),
        bullet_list(definitions),
        heading(i18n.t("label.sources", lang), 3),
        bullet_list(sources),
        paragraph(i18n.t("note.censored", lang), css="corett-note"),
        paragraph(i18n.t("note.suppressed", lang, threshold=ctx.k), css="corett-note"),
    )


def suppression_ledger(ctx: Context) -> Block:
    """Return what disclosure control suppressed in this report, table by table (the report's last section)."""
    return with_downloads(html_block(ctx.ledger.to_html(ctx.lang)), ctx)
