"""Sections of the data-quality review (``notebooks/quality.ipynb``), one function per section.

Each function takes the report's :class:`~corett_lib.reporting.context.Context` and returns a
:class:`~corett_lib.reporting.context.Block`. The rules and their wording live in
:mod:`corett_lib.analysis.quality` (computed once per dataset and process, :func:`review_of`); every
table goes through :func:`~corett_lib.reporting.context.publish` (disclosure control, one ledger per
report); every word comes from the ``quality.*`` messages.

The regional report (``CORETT``) shows every member; a member's report shows that member.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from corett_lib.analysis import quality
from corett_lib.core import i18n
from corett_lib.publishing import fact_disclosure
from corett_lib.reporting import charts
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
    wrap,
)

_REVIEWS: dict[int, quality.QualityReview] = {}

#: Severities ringed on a trend chart in every year (the report's year is ringed for any flag).
_RINGED = ("suspicious", "extreme", "moderate")


def review_of(ctx: Context) -> quality.QualityReview:
    """Return the quality review of the report's data (computed once per dataset and process)."""
    key = id(ctx.ds)
    if key not in _REVIEWS:
        _REVIEWS.clear()  # one dataset at a time
        _REVIEWS[key] = quality.review(ctx.ds.observations, ctx.members)
    return _REVIEWS[key]


def _t(key: str, lang: str, **kwargs: Any) -> str:
    return i18n.t(f"quality.{key}", lang, **kwargs)


def _country(ctx: Context) -> str:
    return i18n.country_name(ctx.country, ctx.lang)


def _members(ctx: Context) -> tuple[str, ...]:
    return ctx.members if ctx.regional else (ctx.country,)


def fact_of(
    ctx: Context,
    iso3: str,
    year: Any,
    indicator: str,
    source: str,
    shown: Any,
    filters: tuple[str, str, str, str] = ("Total", "Total", "Total", "Total"),
) -> str | None:
    """Return the published fact a figure of the review is, or None.

    A source's figure (``filters``: dimension, category, sex, age) is the fact when it is the fact's
    source, or when it shows the same count (then it reads as the fact whichever source it comes
    from). Another source's different figure is not the fact. A table names these facts so that a
    fact hidden on any page is hidden here too (:mod:`corett_lib.publishing.fact_disclosure`).
    """
    key = fact_disclosure.observation_fact(
        ctx.facts.registry, str(iso3), int(year), str(indicator), *filters
    )
    if key is None:
        return None
    decision = ctx.disclosure
    if decision.figure(key) is None:
        return None
    if decision.shows(key, shown) or str(source) in decision.sources(key):
        return key
    return None


def _facts_of_flags(ctx: Context, f: pd.DataFrame) -> list[str | None]:
    """Return the published fact each flagged figure of ``f`` is (:func:`fact_of`), or None."""
    return [
        fact_of(
            ctx,
            row.iso3,
            row.year,
            row.indicator,
            row.source,
            "<5" if row.censored else row.value,
            (row.dimension, row.category, row.sex, row.age),
        )
        for row in f.itertuples(index=False)
    ]


def _year_flags(ctx: Context) -> tuple[pd.DataFrame, list[str | None]]:
    """Return the flagged figures of the year and the fact each is (read by two sections)."""

    def compute() -> tuple[pd.DataFrame, list[str | None]]:
        f = quality.flags_for(review_of(ctx), ctx.year, None if ctx.regional else ctx.country)
        return f, _facts_of_flags(ctx, f)

    return once(ctx, "quality.year_flags", compute)


def hidden_figures(ctx: Context, f: pd.DataFrame) -> list[bool]:
    """Return whether each flagged figure of ``f`` is a fact the country-year decision hides."""
    return [bool(key and ctx.disclosure.status(key)) for key in _facts_of_flags(ctx, f)]


def title(ctx: Context) -> Block:
    """Show the report's title and what the review is for."""
    return wrap(
        heading(i18n.t("report.quality.title", ctx.lang, country=_country(ctx), year=ctx.year), 1),
        paragraph(_t("intro", ctx.lang, year=ctx.year)),
    )


def scorecard(ctx: Context) -> Block:
    """Members × quality dimensions for the report's year."""
    lang = ctx.lang
    res = review_of(ctx)
    card = quality.scorecard(res, ctx.year)
    card = card[card["iso3"].isin(_members(ctx))]
    rules = res.rules.completeness
    low = _t("scorecard_low", lang, min_share=i18n.percent(rules.min_share, lang))
    member_col = _t("col.member", lang)
    reported_col, comp_col = _t("col.reported", lang), _t("col.completeness", lang)
    df = pd.DataFrame(
        {
            member_col: [i18n.country_name(c, lang) for c in card["iso3"]],
            reported_col: [
                f"{r} / {e}" for r, e in zip(card["reported"], card["expected"], strict=True)
            ],
            comp_col: [
                i18n.percent(s, lang) + (f" ({low})" if s < rules.min_share else "")
                for s in card["completeness"]
            ],
            **{
                _t(f"dimension.{d}", lang): card[d].astype(int).astype(str).to_list()
                for d in quality.DIMENSIONS[1:]
            },
        }
    )
    pub = publish(
        ctx, df, table_id="quality_scorecard", title=_t("heading.scorecard", lang), count_columns=[]
    )
    note = _t(
        "scorecard_note",
        lang,
        expected=len(rules.indicators),
        indicators=", ".join(i18n.label("indicator", i, lang) for i in rules.indicators),
        min_share=i18n.percent(rules.min_share, lang),
    )
    return wrap(
        heading(_t("heading.scorecard", lang), 2, "quality-scorecard"),
        html_block(pub.to_html()),
        paragraph(note, css="corett-note"),
    )


def flags(ctx: Context) -> Block:
    """Show the flagged figures of the year: rule, severity, evidence and the source row of each."""
    lang = ctx.lang
    head = heading(_t("heading.flags", lang), 2, "quality-flags")
    f, fact_keys = _year_flags(ctx)
    if f.empty:
        return head + paragraph(_t("no_flags", lang, year=ctx.year, country=_country(ctx)))
    hidden = [bool(key and ctx.disclosure.status(key)) for key in fact_keys]
    cols = {
        k: _t(f"col.{k}", lang)
        for k in (
            "member",
            "figure",
            "source",
            "value",
            "rule",
            "severity",
            "evidence",
            "source_row",
            "correction",
        )
    }
    df = pd.DataFrame(
        {
            cols["member"]: [i18n.country_name(c, lang) for c in f["iso3"]],
            cols["figure"]: [quality.figure_label(r, lang) for _, r in f.iterrows()],
            cols["source"]: [source_name(s, lang) for s in f["source"]],
            cols["value"]: [
                "<5" if c else v for v, c in zip(f["value"], f["censored"], strict=True)
            ],
            cols["rule"]: [_t(f"rule.{r}", lang) for r in f["rule"]],
            cols["severity"]: [_t(f"severity.{s}", lang) for s in f["severity"]],
            cols["evidence"]: [
                quality.evidence_text(r, lang, ctx.k, hidden=hide or bool(r["censored"]))
                for (_, r), hide in zip(f.iterrows(), hidden, strict=True)
            ],
            cols["source_row"]: [
                _t("source_row", lang, file=a, row=int(b))
                for a, b in zip(f["source_file"], f["source_row"], strict=True)
            ],
            cols["correction"]: f["correction"].fillna("").astype(str).to_list(),
        }
    )
    if not ctx.regional:
        df = df.drop(columns=cols["member"])
    facts = {(r, cols["value"]): key for r, key in enumerate(fact_keys) if key is not None}
    pub = publish(
        ctx,
        df,
        table_id="quality_flags",
        title=_t("heading.flags", lang),
        count_columns=[cols["value"]],
        facts=facts,
    )
    return head + html_block(pub.to_html())


def trends(ctx: Context) -> Block | None:
    """Show each headline series with a flagged figure in the year, its flagged values ringed.

    A member's report only (the regional one points to them); ``None`` when nothing is flagged. The
    data of each chart go through the publishing function (small counts shown as below the
    threshold, never as their value).
    """
    if ctx.regional:
        return None
    lang = ctx.lang
    res = review_of(ctx)
    year_flags = quality.flags_for(res, ctx.year, ctx.country)
    head = year_flags[
        (year_flags["dimension"] == "Total")
        & (year_flags["category"] == "Total")
        & (year_flags["sex"] == "Total")
        & (year_flags["age"] == "Total")
    ]
    series = head[["source", "indicator"]].drop_duplicates().itertuples(index=False)
    obs = ctx.ds.observations
    blocks: list[Block] = []
    year_col, value_col = _t("col.year", lang), _t("col.value", lang)
    for n, (source, indicator) in enumerate(series):
        rows = obs[
            (obs["source"] == source)
            & (obs["iso3"] == ctx.country)
            & (obs["indicator"] == indicator)
            & (obs["dimension"] == "Total")
            & (obs["category"] == "Total")
            & (obs["sex"] == "Total")
            & (obs["age"] == "Total")
        ].sort_values("year")
        f = res.flags
        f = f[
            (f["source"] == source)
            & (f["iso3"] == ctx.country)
            & (f["indicator"] == indicator)
            & (f["dimension"] == "Total")
            & (f["category"] == "Total")
            & (f["sex"] == "Total")
            & (f["age"] == "Total")
        ]
        # Ringed: the year's flagged value, and the series' outliers and suspicious values.
        ringed = (f["year"] == ctx.year) | f["severity"].isin(_RINGED)
        flagged_years = set(f.loc[ringed, "year"])
        df = pd.DataFrame(
            {
                year_col: rows["year"].astype(int).to_list(),
                value_col: [
                    "<5" if c else v for v, c in zip(rows["value"], rows["censored"], strict=True)
                ],
            }
        )
        label = i18n.label("indicator", indicator, lang)
        title = f"{label}, {_country(ctx)} ({source_name(source, lang)})"
        facts = {}
        for r, (year, shown) in enumerate(zip(df[year_col], df[value_col], strict=True)):
            key = fact_of(ctx, ctx.country, year, indicator, source, shown)
            if key is not None:
                facts[(r, value_col)] = key
        data = publish_chart(
            ctx,
            df,
            chart_id=f"quality_trend_{n}",
            title=title,
            count_columns=[value_col],
            facts=facts,
        )
        pub = data.table
        chart_df = pd.DataFrame(
            {
                "year": df[year_col],
                "value": pub.values[value_col],
                "suppressed": pub.status[value_col] != "",
                "status": pub.status[value_col],
                "flagged": [y in flagged_years for y in df[year_col]],
                "series": label,
            }
        )
        chart, alt_text = charts.trend_chart(
            chart_df,
            lang=lang,
            title=title,
            y_title=_t("chart.y", lang),
            threshold=ctx.k,
            flagged="flagged",
            series="series",
            status="status",
        )
        caption = _t("chart.caption", lang, indicator=label, country=_country(ctx))
        blocks += [
            html_block(charts.to_html_fragment(chart, alt_text, caption=caption), alt_text),
            html_block(data.html_data({value_col: value_col})),
        ]
    if not blocks:
        return None
    return wrap(heading(_t("heading.trends", lang), 2, "quality-trends"), *blocks)


def external(ctx: Context) -> Block:
    """UNODC's and CORETT's figure for the year side by side, with the difference in %."""
    lang = ctx.lang
    head = heading(_t("heading.external", lang), 2, "quality-external")
    ext = review_of(ctx).external
    if len(ext):
        ext = ext[(ext["year"] == ctx.year) & ext["iso3"].isin(_members(ctx))]
    if ext.empty:
        return head + paragraph(_t("no_external", lang, year=ctx.year))
    ref_col, cmp_col = _t("col.reference_value", lang), _t("col.compare_value", lang)
    diff_col = _t("col.difference", lang)
    df = pd.DataFrame(
        {
            _t("col.member", lang): [i18n.country_name(c, lang) for c in ext["iso3"]],
            _t("col.figure", lang): [i18n.label("indicator", i, lang) for i in ext["indicator"]],
            _t("col.reference", lang): [source_name(s, lang) for s in ext["reference"]],
            ref_col: ext["reference_value"].to_list(),
            _t("col.compare", lang): [source_name(s, lang) for s in ext["compare"]],
            cmp_col: ext["compare_value"].to_list(),
            diff_col: ext["difference_pct"].to_list(),
        }
    )
    facts: dict[tuple[int, str], str] = {}
    for r, row in enumerate(ext.itertuples(index=False)):
        for col, source, shown in (
            (ref_col, row.reference, row.reference_value),
            (cmp_col, row.compare, row.compare_value),
        ):
            key = fact_of(ctx, row.iso3, row.year, row.indicator, source, shown)
            if key is not None:
                facts[(r, col)] = key
    pub = publish(
        ctx,
        df,
        table_id="quality_external",
        title=_t("heading.external", lang),
        count_columns=[ref_col, cmp_col],
        derived={diff_col: [ref_col, cmp_col]},
        formats={diff_col: "number:1"},
        facts=facts,
    )
    return head + html_block(pub.to_html())


def questions(ctx: Context) -> Block:
    """For each member, the questions to send back before the year's figures are published."""
    lang = ctx.lang
    res = review_of(ctx)
    blocks: list[Block] = [heading(_t("heading.questions", lang), 2, "quality-questions")]
    f, fact_keys = _year_flags(ctx)
    secret = [
        tuple(row)
        for row, key in zip(
            f[quality.OBSERVATION_KEY].itertuples(index=False, name=None), fact_keys, strict=True
        )
        if key and ctx.disclosure.status(key)
    ]
    for iso3 in _members(ctx):
        name = i18n.country_name(iso3, lang)
        asked = quality.questions(res, ctx.year, iso3, lang, ctx.k, hidden=secret)
        if ctx.regional:
            blocks.append(heading(_t("questions_for", lang, country=name), 3))
        blocks.append(
            bullet_list(asked)
            if asked
            else paragraph(_t("no_questions", lang, country=name, year=ctx.year))
        )
    return wrap(*blocks)


def method(ctx: Context) -> Block:
    """Show the rules and their thresholds, from ``parameters/quality.yaml``."""
    lang = ctx.lang
    r = review_of(ctx).rules
    return wrap(
        heading(_t("heading.method", lang), 2, "quality-method"),
        paragraph(
            _t(
                "method",
                lang,
                moderate=i18n.number(r.outliers.moderate_sd, lang, 1),
                extreme=i18n.number(r.outliers.extreme_sd, lang, 1),
                short=r.outliers.short_series_below,
                mz=i18n.number(r.outliers.modified_z, lang, 1),
                min_values=r.outliers.min_values,
                previous=r.time_consistency.previous_years,
                tolerance=i18n.number(r.time_consistency.tolerance_pct, lang),
                min_reference=i18n.number(r.time_consistency.min_reference, lang),
                external=i18n.number(r.external.tolerance_pct, lang),
                factor=i18n.number(r.slips.magnitude_factor, lang),
            ),
            css="corett-note",
        ),
        paragraph(i18n.t("source.unodc", lang), css="corett-note"),
    )


def suppression_ledger(ctx: Context) -> Block:
    """Show what disclosure control suppressed in this report (the report's last section)."""
    return html_block(ctx.ledger.to_html(ctx.lang))


__all__ = [
    "external",
    "flags",
    "method",
    "questions",
    "review_of",
    "scorecard",
    "suppression_ledger",
    "title",
    "trends",
]
