"""Sections of the annual report (``notebooks/annual_report.ipynb``), one function per section.

Each function takes the report's :class:`~corett_lib.report.Context` and returns a
:class:`~corett_lib.report.Block` the notebook displays. Figures come from the indicator engine
(:mod:`corett_lib.indicators.engine`: source precedence, regional rule, censoring); every table and
chart goes through :func:`corett_lib.report.publish` (disclosure control, one ledger per report); charts
are inline SVG (:mod:`corett_lib.charts`); words come from the message catalogues
(:func:`corett_lib.i18n.t`), and the few texts they do not hold yet are in :data:`EXTRA_MESSAGES`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from corett_lib import i18n
from corett_lib.report import (
    Block,
    Context,
    bullet_list,
    heading,
    html_block,
    paragraph,
    publish,
    wrap,
)

if TYPE_CHECKING:
    import pandas as pd

#: Texts the shared catalogues do not hold yet: key -> (English, Spanish). To move into
#: ``corett_lib/messages/{en,es}.yaml``; the catalogue wins once it has a key.
EXTRA_MESSAGES: dict[str, tuple[str, str]] = {
    "annual.headline_victims": (
        "{value} detected victims of trafficking in {year}",
        "{value} víctimas de trata detectadas en {year}",
    ),
    "annual.change": (
        "{change} on {previous_year} ({previous})",
        "{change} respecto a {previous_year} ({previous})",
    ),
    "annual.no_previous": (
        "No figure for {previous_year} to compare with.",
        "No hay cifra de {previous_year} para comparar.",
    ),
    "annual.rate": (
        "{rate} detected victims per 100,000 population (SDG indicator 16.2.2; population {population})",
        "{rate} víctimas detectadas por cada 100.000 habitantes (indicador ODS 16.2.2; población {population})",
    ),
    "annual.no_data_section": (
        "No published figure for {country} in {year}.",
        "No hay cifras publicadas para {country} en {year}.",
    ),
    "annual.censored_count": (
        '{n} figures for this country and year are published as "<5" (censored).',
        '{n} cifras de este país y año se publican como "<5" (censuradas).',
    ),
    "annual.range": (
        "{what}: a sum that includes censored counts; the true value is between {low} and {high}.",
        "{what}: una suma que incluye conteos censurados; el valor real está entre {low} y {high}.",
    ),
    "annual.warnings": (
        "{n} validation warnings concern this country or year:",
        "{n} advertencias de validación se refieren a este país o año:",
    ),
    "annual.no_warnings": (
        "No validation warning concerns this country or year.",
        "Ninguna advertencia de validación se refiere a este país o año.",
    ),
    "annual.no_differences": (
        "The sources agree on every figure they share for this country and year.",
        "Las fuentes coinciden en todas las cifras que comparten para este país y año.",
    ),
    "annual.differences": (
        "Where sources differ, the report shows the source the precedence picks ({precedence}):",
        "Cuando las fuentes difieren, el informe muestra la fuente que elige la precedencia ({precedence}):",
    ),
    "annual.plan_none": (
        "No monitoring data on the plan's indicators has been reported yet; the targets are listed by axis.",
        "Aún no se han reportado datos de seguimiento de los indicadores del plan; las metas se listan por eje.",
    ),
    "annual.plan_count": (
        "Indicators by axis",
        "Indicadores por eje",
    ),
    "annual.generated": (
        "Built by the CORETT workbench from validated data; every figure is a published figure of the named source.",
        "Generado por el banco de trabajo de la CORETT a partir de datos validados; cada cifra es una cifra publicada por la fuente indicada.",
    ),
    "annual.precedence": (
        "When several sources publish a figure, the report shows the first of: {precedence}. Regional figures are the region's published figure or the sum over members, with the members covered.",
        "Cuando varias fuentes publican una cifra, el informe muestra la primera de: {precedence}. Las cifras regionales son la cifra regional publicada o la suma de los miembros, con los miembros cubiertos.",
    ),
    "annual.definitions": ("Definitions", "Definiciones"),
    "annual.shares": (
        "Shares published by {source} for {year} (they add to {total}; the source does not describe the rest)",
        "Proporciones publicadas por {source} para {year} (suman {total}; la fuente no describe el resto)",
    ),
    "annual.share": ("Share", "Proporción"),
    "annual.sum_of_members": ("sum of members", "suma de los países miembros"),
}

VICTIMS = "Detected trafficking victims"
REPATRIATED = "Repatriated victims"

VICTIM_BREAKDOWNS: tuple[tuple[str, str], ...] = (("sex", "sex"), ("age", "age"))


def text(key: str, lang: str, **kwargs: Any) -> str:
    """Return message ``key`` from the shared catalogue, else from :data:`EXTRA_MESSAGES`."""
    if key in i18n.catalogue(lang):
        return i18n.t(key, lang, **kwargs)
    return EXTRA_MESSAGES[key][0 if lang == "en" else 1].format(**kwargs)


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
    from corett_lib.indicators.engine import indicator_table

    return indicator_table(
        ctx.evaluation,
        countries=countries or [ctx.country],
        years=years or [ctx.year],
        indicators=ids,
        disaggregations=disaggregations,
        lang=ctx.lang,
        country_names=ctx.ds.countries if len(ctx.ds.countries) else None,
    )


def _count(row: Any) -> Any:
    """A count cell for :func:`~corett_lib.publish.publish_table`: a number, ``"<5"`` or NaN.

    A sum that includes censored counts (flag ``range``) is not a ``<5``: it is shown as no figure,
    and :func:`data_quality` gives its bounds."""
    if "range" in str(row.get("flags", "")).split(";"):
        return float("nan")
    if bool(row["censored"]):
        return "<5"
    v = row["value"]
    return float("nan") if v is None or _nan(v) else float(v)


def _nan(v: Any) -> bool:
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return True


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
            out.append(text("annual.sum_of_members", lang) + s[len("sum of members") :])
        elif s:
            out.append(s)
    return "; ".join(out) or i18n.t("label.not_available", lang)


def _no_data(ctx: Context) -> Block:
    name = i18n.country_name(ctx.country, ctx.lang)
    return paragraph(text("annual.no_data_section", ctx.lang, country=name, year=ctx.year))


def _has_value(df: pd.DataFrame) -> pd.Series:
    return df["censored"].astype(bool) | df["value"].notna()


def _precedence_text(ctx: Context) -> str:
    return ", ".join(ctx.evaluation.registry.defaults.precedence)


# --------------------------------------------------------------------------- sections


def title(ctx: Context) -> Block:
    """The report's title and subtitle."""
    name = i18n.country_name(ctx.country, ctx.lang)
    return wrap(
        heading(text("report.annual.title", ctx.lang, country=name, year=ctx.year), 1),
        paragraph(text("annual.generated", ctx.lang), css="corett-note"),
    )


def headline(ctx: Context) -> Block:
    """Headline figures: detected victims with the source named, the change on the previous year and
    the SDG 16.2.2 rate per 100,000 population."""
    import pandas as pd

    lang = ctx.lang
    head = heading(text("section.headline", lang), 2, "headline")
    t = indicators(ctx, ["victims", "victims_change", "victims_rate"]).set_index("indicator_id")
    victims = t.loc["victims"]
    if not (bool(victims["censored"]) or not _nan(victims["value"])):
        return head + _no_data(ctx)
    before = indicators(ctx, ["victims"], years=[ctx.year - 1]).iloc[0]
    name = t.loc["victims", "label"]
    now_col, before_col = f"{name} {ctx.year}", f"{name} {ctx.year - 1}"
    change_col, rate_col = t.loc["victims_change", "label"], t.loc["victims_rate", "label"]
    src_col = text("label.source", lang)
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
        title=text("section.headline", lang),
        count_columns=[now_col, before_col],
        derived={change_col: [now_col, before_col], rate_col: now_col},
        formats={change_col: "number:1", rate_col: "number:2"},
    )
    shown, status = pub.display.iloc[0], pub.status.iloc[0]
    items = [
        text("annual.headline_victims", lang, value=shown[now_col], year=ctx.year)
        + ". "
        + text("source.line", lang, source=source_name(victims["source"], lang))
    ]
    change = t.loc["victims_change", "value"]
    if not _nan(change) and not status[change_col]:
        sign = "+" if float(change) > 0 else ""
        items.append(
            text(
                "annual.change",
                lang,
                change=sign + i18n.percent(float(change), lang, 1, fraction=False),
                previous_year=ctx.year - 1,
                previous=shown[before_col],
            )
        )
    else:
        items.append(text("annual.no_previous", lang, previous_year=ctx.year - 1))
    rate = t.loc["victims_rate"]
    if not _nan(rate["value"]) and not status[rate_col]:
        items.append(
            text(
                "annual.rate",
                lang,
                rate=shown[rate_col],
                population=i18n.number(rate["denominator"], lang),
            )
        )
    if ctx.regional and not _nan(victims["coverage_of"]):
        items.append(
            text(
                "label.coverage",
                lang,
                n=int(victims["coverage_n"]),
                total=int(victims["coverage_of"]),
            )
        )
    return wrap(head, bullet_list(items, css="corett-headline"), html_block(pub.to_html()))


def trend(ctx: Context) -> Block:
    """Detected victims over the ten years up to the report's year: a line chart and its table."""
    import pandas as pd

    from corett_lib import charts

    lang = ctx.lang
    head = heading(text("section.trend", lang), 2, "trend")
    t = indicators(ctx, ["victims"], years=list(range(ctx.year - 9, ctx.year + 1)))
    t = t[_has_value(t)]
    if t.empty:
        return head + _no_data(ctx)
    name = t["label"].iloc[0]
    year_col, src_col = text("label.year", lang), text("label.source", lang)
    df = pd.DataFrame(
        {
            year_col: t["year"].astype(int).to_list(),
            name: [_count(r) for _, r in t.iterrows()],
            src_col: [source_name(s, lang) for s in t["source"]],
        }
    )
    pub = publish(ctx, df, table_id="trend", title=name, count_columns=[name], kind="chart")
    chart_df = pd.DataFrame(
        {
            "year": df[year_col],
            "value": pub.values[name],
            "suppressed": pub.status[name] != "",
        }
    )
    country = i18n.country_name(ctx.country, lang)
    chart, alt_text = charts.trend_chart(
        chart_df, lang=lang, title=f"{name}, {country}", y_title=name, threshold=ctx.k
    )
    return wrap(
        head,
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(pub.to_html()),
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
    year_col, src_col = text("label.year", lang), text("label.source", lang)
    total_label = text("label.total", lang)
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
    has_total = bool((df[cat_col] == total_label).any())
    pub = publish(
        ctx,
        df,
        table_id=table_id,
        title=f"{name} — {cat_col}",
        count_columns=[name],
        group_by=[year_col],
        group_total={cat_col: total_label} if has_total else None,
    )
    return html_block(pub.to_html())


def _published_shares(
    ctx: Context, indicator: str, dimension: str, table_id: str, label_kind: str = "category"
) -> Block | None:
    """Shares (unit ``Percent``) a source published for the report's country and year, e.g. CORETT's
    2019 regional composition; shown as published, with what they add up to."""
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
        share = text("annual.share", lang)
        df = pd.DataFrame(
            {
                text("label.category", lang): labels,
                share: [i18n.percent(float(v), lang, fraction=False) for v in part["value"]],
            }
        )
        title = text(
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
    head = heading(text(key, ctx.lang), 2, anchor)
    shown = [b for b in blocks if b is not None]
    return wrap(head, *shown) if shown else head + _no_data(ctx)


def victims_by_sex_age(ctx: Context) -> Block:
    """Detected victims by sex and by age group."""
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
    """Detected victims by form of exploitation."""
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
    """Detected victims by citizenship (domestic or foreign)."""
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
    """A table of indicators (columns) for the previous year and the report's year (rows)."""
    import pandas as pd

    lang = ctx.lang
    t = indicators(ctx, ids, years=[ctx.year - 1, ctx.year])
    if not _has_value(t).any():
        return None
    names = dict(zip(t["indicator_id"], t["label"], strict=False))
    year_col, src_col = text("label.year", lang), text("label.source", lang)
    rows = []
    for year in (ctx.year - 1, ctx.year):
        ty = t[t["year"] == year].set_index("indicator_id")
        row: dict[str, Any] = {year_col: year}
        for i in ids:
            r = ty.loc[i]
            row[names[i]] = r["value"] if i in derived else _count(r)
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
    )
    return html_block(pub.to_html())


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

    from corett_lib import charts

    lang = ctx.lang
    t = indicators(ctx, ["victims", "victims_rate"], countries=list(ctx.members))
    v = t[t["indicator_id"] == "victims"].set_index("iso3").reindex(list(ctx.members))
    r = t[t["indicator_id"] == "victims_rate"].set_index("iso3").reindex(list(ctx.members))
    name, rate = v["label"].dropna().iloc[0], r["label"].dropna().iloc[0]
    member_col, src_col = text("label.member", lang), text("label.source", lang)
    df = pd.DataFrame(
        {
            member_col: [i18n.country_name(c, lang) for c in ctx.members],
            name: [_count(row) for _, row in v.iterrows()],
            rate: r["value"].to_list(),
            src_col: [source_name(s, lang) for s in v["source"]],
        }
    )
    pub = publish(
        ctx,
        df,
        table_id="comparison",
        title=text("section.comparison", lang),
        count_columns=[name],
        derived={rate: name},
        formats={rate: "number:2"},
    )
    chart_df = pd.DataFrame(
        {
            "iso3": list(ctx.members),
            "value": pub.values[rate].to_list(),
            "suppressed": (pub.status[rate] != "").to_list(),
        }
    )
    chart, alt_text = charts.comparison_chart(
        chart_df, lang=lang, title=f"{rate}, {ctx.year}", x_title=rate, decimals=2, threshold=ctx.k
    )
    return wrap(
        heading(text("section.comparison", lang), 2, "comparison"),
        html_block(charts.to_html_fragment(chart, alt_text), alt_text),
        html_block(pub.to_html()),
    )


def plan_progress(ctx: Context) -> Block:
    """Progress of the plan's indicators by axis: targets vs actuals (actuals marked illustrative
    when they are). Without monitoring data, the plan's indicators are counted by axis."""
    import pandas as pd

    lang = ctx.lang
    head = heading(text("section.plan_progress", lang), 2, "plan")
    items = ctx.ds.plan_items
    if items is None or items.empty or "level" not in items:
        return head + paragraph(text("annual.plan_none", lang, year=ctx.year))
    by_id = items.set_index("id")
    axis_of: dict[str, str] = {}
    for item_id, row in by_id.iterrows():
        node, seen = row, 0
        while node is not None and node.get("level") != "axis" and seen < 10:
            parent = node.get("parent_id")
            node = by_id.loc[parent] if isinstance(parent, str) and parent in by_id.index else None
            seen += 1
        if node is not None and node.get("level") == "axis":
            axis_of[str(item_id)] = str(node.get("text_en" if lang == "en" else "text_es") or "")
    inds = items[items["level"] == "indicator"]
    counts = (
        pd.Series([axis_of.get(str(i), "") for i in inds["id"]]).replace("", pd.NA).dropna()
    ).value_counts()
    if counts.empty:
        return head + paragraph(text("annual.plan_none", lang, year=ctx.year))
    axis_col, n_col = text("annual.plan_count", lang), text("label.count", lang)
    df = pd.DataFrame({axis_col: counts.index.to_list(), n_col: counts.to_list()})
    return wrap(
        head,
        paragraph(text("annual.plan_none", lang, year=ctx.year)),
        html_block(
            df.to_html(index=False, border=0, classes="corett-table", escape=True),
            axis_col,
        ),
    )


def data_quality(ctx: Context) -> Block:
    """Data-quality notes: differences between sources, censored values, regional coverage and the
    validation warnings that concern the report."""
    from corett_lib.indicators.reconcile import reconciliation

    lang = ctx.lang
    head = heading(text("section.data_quality", lang), 2, "quality")
    blocks: list[Block] = [head]
    obs = ctx.ds.observations
    scope = [*ctx.members, ctx.country] if ctx.regional else [ctx.country]
    here = obs[obs["iso3"].isin(scope) & (obs["year"] == ctx.year)]
    n_cens = int(here["censored"].fillna(False).astype(bool).sum())
    if n_cens:
        blocks += [
            paragraph(text("annual.censored_count", lang, n=n_cens)),
            paragraph(text("note.censored", lang), css="corett-note"),
        ]
    t = indicators(ctx, ["victims", "prosecuted", "convicted", "repatriated"])
    for _, row in t[t["flags"].astype(str).str.contains("range")].iterrows():
        blocks.append(
            paragraph(
                text(
                    "annual.range",
                    lang,
                    what=row["label"],
                    low=i18n.number(row["value_low"], lang),
                    high=i18n.number(row["value_high"], lang),
                )
            )
        )
    diffs = reconciliation(ctx.evaluation, countries=[ctx.country], years=[ctx.year], lang=lang)
    if diffs.empty:
        blocks.append(paragraph(text("annual.no_differences", lang)))
    else:
        blocks.append(paragraph(text("annual.differences", lang, precedence=_precedence_text(ctx))))
        blocks.append(
            bullet_list(
                [
                    f"{r['label']}: {source_name(r['source'], lang)} {i18n.number(r['value'], lang)}; "
                    f"{source_name(r['other_source'], lang)} {i18n.number(r['other_value'], lang)}"
                    for _, r in diffs.iterrows()
                ]
            )
        )
    if ctx.regional:
        v = t[t["indicator_id"] == "victims"]
        if len(v) and not _nan(v["coverage_of"].iloc[0]):
            blocks.append(
                paragraph(
                    text(
                        "label.coverage",
                        lang,
                        n=int(v["coverage_n"].iloc[0]),
                        total=int(v["coverage_of"].iloc[0]),
                    )
                )
            )
    # A member's report lists the warnings that name it; the regional report those of its year.
    names = (
        {f" {ctx.year} "} if ctx.regional else {ctx.country, i18n.country_name(ctx.country, "en")}
    )
    warnings = [
        p
        for p in ctx.ds.warnings
        if any(n in f" {p.message} {' '.join(map(str, p.sample))} " for n in names)
    ]
    if warnings:
        blocks.append(paragraph(text("annual.warnings", lang, n=len(warnings))))
        blocks.append(bullet_list([f"{p.file}: {p.message}" for p in warnings[:15]]))
    else:
        blocks.append(paragraph(text("annual.no_warnings", lang)))
    return wrap(*blocks)


def methodology(ctx: Context) -> Block:
    """Methodology and sources: precedence, definitions, sources, disclosure control."""
    lang = ctx.lang
    reg = ctx.evaluation.registry
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
        heading(text("section.methodology", lang), 2, "methodology"),
        paragraph(text("annual.precedence", lang, precedence=_precedence_text(ctx))),
        heading(text("annual.definitions", lang), 3),
        bullet_list(definitions),
        heading(text("label.sources", lang), 3),
        bullet_list(sources),
        paragraph(text("note.censored", lang), css="corett-note"),
        paragraph(text("note.suppressed", lang, threshold=ctx.k), css="corett-note"),
    )


def suppression_ledger(ctx: Context) -> Block:
    """What disclosure control suppressed in this report, table by table (the report's last section)."""
    return html_block(ctx.ledger.to_html(ctx.lang))
