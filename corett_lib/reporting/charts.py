"""Charts for the reports: one Altair theme, four builders, static SVG with a text alternative.

Every builder takes a dataframe prepared by the caller (after disclosure control: see ``publish``)
with a numeric value column and a boolean ``suppressed`` column, and returns ``(chart, alt_text)``:
the Altair chart and a sentence or two that say in the chart's language what the chart shows.

Suppressed and censored values are never drawn as 0 and never carry their value into the chart: a
suppressed row's value is dropped (set to null) before the data is embedded, and the row is drawn as
a light, dash-outlined range from 0 to the threshold (the true value lies somewhere below it), labelled
``<5`` and listed in the legend as "Suppressed (fewer than 5)". Rows with no value that are not
suppressed are labelled "no data" and draw no bar.

* :func:`trend_chart` — a line over years (one line per series).
* :func:`bar_chart` — horizontal bars for categories (e.g. forms of exploitation).
* :func:`stacked_bar` — horizontal stacked bars (e.g. sex × age group).
* :func:`comparison_chart` — members side by side for one year, one member highlighted.
* :func:`to_svg` — static SVG through vl-convert, offline (no data, font or script is fetched).
* :func:`to_html_fragment` — an accessible ``<figure>`` with the inline SVG, for reports without
  JavaScript.

The theme (:data:`THEME_NAME`) uses the Okabe–Ito palette, which stays distinguishable under the
common colour-vision deficiencies, and is registered with ``alt.theme.register`` (Altair 6).
Numbers on axes use d3's default locale (``1,582``; ``2.54``), which is the convention of
:mod:`corett_lib.core.i18n` for both languages.
"""

from __future__ import annotations

import functools
import hashlib
import html
import itertools
import json
import math
import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from corett_lib.core import cache, i18n
from corett_lib.reporting import renderer

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

THEME_NAME = "corett"
"""Name under which the workbench's Altair theme is registered."""

#: Okabe & Ito (2008) colour-blind-safe palette, ordered for contrast on white (yellow last).
#: Ring around a point flagged by the data-quality review (vermillion of the same palette).
FLAG_STROKE = "#D55E00"

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
#: Fill and outline of suppressed ranges: light grey with a dashed dark-grey outline.
SUPPRESSED_FILL = "#E0E0E0"
SUPPRESSED_STROKE = "#595959"
#: Colour of the members not highlighted in :func:`comparison_chart`.
OTHERS_COLOUR = "#9DB9D3"
FONT = "'Source Sans 3', 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
TEXT_COLOUR = "#1A1A1A"

_WIDTH = 480
_HEIGHT = 260
_BAR_STEP = 26
_REGISTERED = False
_FIGURE_COUNTER = itertools.count(1)


def theme_config() -> alt.theme.ThemeConfig:
    """Return the workbench's Altair theme (a Vega-Lite top-level config).

    Returns
    -------
    dict
        ``{"config": ..., "width": ..., "height": ...}`` as ``alt.theme.register`` expects.
    """
    axis: alt.theme.AxisConfigKwds = {
        "labelFont": FONT,
        "titleFont": FONT,
        "labelFontSize": 12,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "labelColor": TEXT_COLOUR,
        "titleColor": TEXT_COLOUR,
        "domainColor": "#888888",
        "tickColor": "#888888",
        "gridColor": "#E6E6E6",
    }
    return {
        "width": _WIDTH,
        "height": _HEIGHT,
        "background": "white",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "title": {
                "font": FONT,
                "fontSize": 15,
                "fontWeight": 600,
                "anchor": "start",
                "color": TEXT_COLOUR,
                "offset": 10,
            },
            "axis": axis,
            "legend": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "labelLimit": 320,
                "orient": "bottom",
                "direction": "vertical",
            },
            "range": {"category": list(PALETTE)},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 70, "filled": True, "opacity": 1},
            "bar": {"discreteBandSize": 18},
            "text": {"font": FONT, "fontSize": 12, "color": TEXT_COLOUR},
            "mark": {"aria": False},
            "axisX": {"aria": False},
            "axisY": {"aria": False},
        },
    }


def _alt() -> Any:
    """Import Altair and register (once) and enable the workbench theme."""
    import altair as alt

    global _REGISTERED
    if not _REGISTERED:
        alt.theme.register(THEME_NAME, enable=False)(theme_config)
        _REGISTERED = True
    alt.theme.enable(THEME_NAME)
    return alt


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _unchecked(build: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a chart builder without Altair validating each object as it is made.

    Altair's debug mode checks every schema object against the Vega-Lite schema when it is
    constructed (the data values included), which costs more than building the chart; the checks
    change nothing in the spec. The builders' specs are validated by the tests
    (``tests/test_charts.py``), as in :func:`to_svg`.
    """

    @functools.wraps(build)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        from altair.utils import schemapi

        with schemapi.debug_mode(False):
            return build(*args, **kwargs)

    return run


def _with(chart: Any, **properties: Any) -> Any:
    """Return ``chart`` with top-level ``properties`` set: ``chart.properties`` without its checks."""
    copy = chart.copy(deep=False)
    for key, value in properties.items():
        setattr(copy, key, value)
    return copy


def _prepare(
    df: pd.DataFrame,
    columns: dict[str, str | None],
    value: str,
    suppressed: str,
    status: str | None = None,
) -> pd.DataFrame:
    """Select and check columns; drop the value of every suppressed row.

    ``status`` (optional column): why each suppressed row is hidden, as the disclosure decision
    says (``primary``, ``complementary``, ``withheld``, ``derived``). Only a ``primary`` row is a
    count below the threshold, drawn as ``<k``; any other hidden row is not drawn, and the text
    alternative gives its reason (``_reason``). Without it every suppressed row is primary.
    """
    import pandas as pd

    wanted = [c for c in columns.values() if c is not None]
    named = [value, suppressed] if status is None else [value, suppressed, status]
    missing = [c for c in dict.fromkeys([*wanted, *named]) if c not in df.columns]
    if missing:
        raise KeyError(
            f"chart data lacks column(s) {', '.join(missing)}; has {', '.join(map(str, df.columns))}"
        )
    out = pd.DataFrame({k: df[c].to_numpy() for k, c in columns.items() if c is not None})
    flags = df[suppressed]
    if flags.isna().any():
        raise ValueError(
            f"column {suppressed!r} has missing flags; every row must be True or False"
        )
    hidden = flags.astype(bool).to_numpy()
    why = (
        df[status].fillna("").astype(str).to_numpy()
        if status is not None
        else ["primary"] * len(df)
    )
    reasons = [(w or "primary") if h else "" for h, w in zip(hidden, why, strict=True)]
    out["_suppressed"] = [r == "primary" for r in reasons]
    out["_reason"] = reasons
    values = pd.to_numeric(df[value], errors="coerce").astype(float).to_numpy()
    out["_value"] = [math.nan if h else v for h, v in zip(hidden, values, strict=True)]
    return out


def _hidden_reason(row: Any) -> str:
    """Return why a row is hidden other than as a small count (empty for shown and primary rows)."""
    reason = row.get("_reason", "") if hasattr(row, "get") else ""
    return "" if not isinstance(reason, str) or reason in ("", "primary") else reason


def _reason_text(reason: str, lang: str, threshold: float) -> str:
    """Return the ledger's words for a reason (``disclosure.complementary``...)."""
    return i18n.t(f"disclosure.{reason}", lang, threshold=i18n.number(threshold, lang))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value_text(row: Any, lang: str, threshold: float, decimals: int) -> str:
    if row["_suppressed"]:
        return f"<{i18n.number(threshold, lang)}"
    if _hidden_reason(row):
        return i18n.t("label.suppressed", lang)
    if _missing(row["_value"]):
        return i18n.t("label.no_data", lang)
    return i18n.number(row["_value"], lang, decimals)


def _item(label: str, row: Any, lang: str, threshold: float, decimals: int) -> str:
    if row["_suppressed"]:
        return i18n.t(
            "chart.alt.item_suppressed", lang, label=label, threshold=i18n.number(threshold, lang)
        )
    if _hidden_reason(row):
        reason = _reason_text(_hidden_reason(row), lang, threshold)
        return i18n.t("chart.alt.item_hidden", lang, label=label, reason=reason)
    if _missing(row["_value"]):
        return i18n.t("chart.alt.item_no_data", lang, label=label)
    return i18n.t(
        "chart.alt.item", lang, label=label, value=i18n.number(row["_value"], lang, decimals)
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts (None for missing) to embed in the spec."""
    out = []
    for rec in frame.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and math.isnan(v):
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def _suppressed_legend(alt: Any, lang: str, threshold: float) -> Any:
    label = i18n.t("chart.legend.suppressed", lang, threshold=i18n.number(threshold, lang))
    return alt.StrokeDash(
        "_status:N",
        title=None,
        scale=alt.Scale(domain=[label], range=[[4, 3]]),
        legend=alt.Legend(symbolType="square", symbolFillColor=SUPPRESSED_FILL, symbolSize=180),
    ), label


@_unchecked
def trend_chart(
    df: pd.DataFrame,
    *,
    lang: str,
    title: str,
    y_title: str,
    x: str = "year",
    value: str = "value",
    suppressed: str = "suppressed",
    series: str | None = None,
    x_title: str | None = None,
    threshold: float = 5,
    decimals: int = 0,
    flagged: str | None = None,
    status: str | None = None,
) -> tuple[alt.LayerChart, str]:
    """Return a line chart of a value over years, and its text alternative.

    Parameters
    ----------
    df
        One row per year (and series): ``x``, ``value``, ``suppressed`` (bool) and optionally
        ``series``. A suppressed row's value is ignored; a missing value breaks the line.
    lang
        ``"en"`` or ``"es"``: the language of every text in the chart.
    title, y_title
        Chart title and y-axis title, already in ``lang`` (take them from :func:`corett_lib.core.i18n.t`).
    x, value, suppressed, series
        Column names. ``series`` holds labels already in ``lang`` (one line each).
    x_title
        X-axis title; default the catalogue's "Year".
    threshold
        Suppressed values are below this; their range ``[0, threshold]`` is drawn.
    decimals
        Decimals of the values in the text alternative.
    flagged
        Optional column (bool): values flagged by the data-quality review
        (:mod:`corett_lib.analysis.quality`) get a ring around their point, and the text alternative
        names their years.
    status
        Optional column: why a suppressed row is hidden (``primary``, ``complementary``...; the
        published table's status). Only a primary row is drawn as below ``threshold``; the others
        are not drawn and the text alternative gives their reason in the ledger's words.

    Returns
    -------
    (alt.LayerChart, str)
        The chart and its text alternative, e.g. "Line chart: Detected victims, Guatemala.
        Detected victims rose from 316 in 2017 to 434 in 2019."
    """
    alt = _alt()
    data = _prepare(df, {"x": x, "series": series}, value, suppressed, status)
    data["_flagged"] = df[flagged].fillna(False).astype(bool).to_numpy() if flagged else False
    data["x"] = data["x"].astype(int)
    if series is None:
        data["series"] = y_title
    data = _fill_missing_years(data)
    order = {name: i for i, name in enumerate(dict.fromkeys(data["series"]))}
    data["_series_order"] = data["series"].map(order)
    data = (
        data.sort_values(["_series_order", "x"], kind="stable")
        .drop(columns="_series_order")
        .reset_index(drop=True)
    )
    strokedash, supp_label = _suppressed_legend(alt, lang, threshold)
    data["_status"] = [supp_label if s else "" for s in data["_suppressed"]]
    data["_bound"] = [float(threshold) if s else None for s in data["_suppressed"]]
    data["_text"] = [f"<{i18n.number(threshold, lang)}" if s else "" for s in data["_suppressed"]]

    records = _records(data)
    base = alt.Chart(alt.Data(values=records))
    years = list(range(int(data["x"].min()), int(data["x"].max()) + 1))  # every year, gaps too
    x_enc = alt.X(
        "x:Q",
        title=x_title or i18n.t("label.year", lang),
        scale=alt.Scale(domain=[years[0] - 0.3, years[-1] + 0.3], nice=False, zero=False),
        axis=alt.Axis(format="d", values=years, grid=False),
    )
    multi = data["series"].nunique() > 1
    colour = (
        alt.Color("series:N", title=None, sort=list(dict.fromkeys(data["series"])))
        if multi
        else alt.ColorValue(PALETTE[0])
    )
    y_enc = alt.Y("_value:Q", title=y_title, axis=alt.Axis(format=",d" if decimals == 0 else ","))
    observed = base.transform_filter("datum._value != null")
    # A faint dotted line joins reported values across a gap; the solid line breaks at the gap.
    bridge = observed.mark_line(strokeDash=[1, 4], strokeWidth=1.5, opacity=0.7).encode(
        x=x_enc, y=y_enc, color=colour, detail=alt.Detail("series:N")
    )
    line = base.mark_line(invalid="break-paths-show-path-domains").encode(
        x=x_enc, y=y_enc, color=colour, detail=alt.Detail("series:N")
    )
    points = observed.mark_point(filled=True, opacity=1).encode(x=x_enc, y=y_enc, color=colour)
    layers = [bridge, line, points]
    if data["_suppressed"].any():
        supp = base.transform_filter("datum._suppressed")
        layers.append(
            supp.mark_bar(width=14, fill=SUPPRESSED_FILL, stroke=SUPPRESSED_STROKE, strokeWidth=1.2)
            .encode(
                x=x_enc,
                y=alt.Y("_zero:Q", title=y_title),
                y2=alt.Y2("_bound:Q"),
                strokeDash=strokedash,
            )
            .transform_calculate(_zero="0")
        )
        layers.append(
            supp.mark_text(dy=-8, color=SUPPRESSED_STROKE).encode(
                x=x_enc, y=alt.Y("_bound:Q", title=y_title), text=alt.Text("_text:N")
            )
        )
    marked = data["_flagged"].fillna(False).astype(bool) & data["_value"].notna()
    if marked.any():
        layers.append(
            observed.transform_filter("datum._flagged")
            .mark_point(shape="circle", size=260, filled=False, strokeWidth=2, color=FLAG_STROKE)
            .encode(x=x_enc, y=y_enc)
        )
    chart = _with(alt.layer(*layers), title=title, width=_WIDTH, height=_HEIGHT)
    text = _trend_alt(data, lang, title, threshold, decimals)
    if marked.any():
        ringed = ", ".join(str(int(y)) for y in sorted(set(data.loc[marked, "x"])))
        text += " " + i18n.t("quality.chart.flagged_years", lang, years=ringed)
    return chart, text


def _fill_missing_years(data: pd.DataFrame) -> pd.DataFrame:
    """Add a row without a value for each year missing inside a series.

    A year missing between a series' first and last year gets a row, so the axis shows that year and
    the solid line breaks there instead of joining across it.
    """
    import pandas as pd

    full = range(int(data["x"].min()), int(data["x"].max()) + 1)
    gaps = [
        {"x": year, "series": name, "_suppressed": False, "_value": math.nan}
        for name, part in data.groupby("series", sort=False)
        for year in full
        if year not in set(part["x"])
    ]
    if not gaps:
        return data
    out = pd.concat([data, pd.DataFrame(gaps)], ignore_index=True)
    out["_reason"] = out["_reason"].fillna("")
    return out


def _trend_alt(data: pd.DataFrame, lang: str, title: str, threshold: float, decimals: int) -> str:
    kind = i18n.t("chart.kind.line", lang)
    sentences: list[str] = []
    for name, part in data.groupby("series", sort=False):
        seen = part[part["_value"].notna()]
        if seen.empty:
            key, fields = "chart.alt.trend_none", {}
        else:
            first, last = seen.iloc[0], seen.iloc[-1]
            fields = {
                "first": i18n.number(first["_value"], lang, decimals),
                "first_year": int(first["x"]),
                "last": i18n.number(last["_value"], lang, decimals),
                "last_year": int(last["x"]),
            }
            if len(seen) == 1:
                key = "chart.alt.trend_single"
            elif fields["last"] == fields["first"]:
                key = "chart.alt.trend_same"
            else:
                key = (
                    "chart.alt.trend_up"
                    if last["_value"] > first["_value"]
                    else "chart.alt.trend_down"
                )
        text = i18n.t(key, lang, kind=kind, title=title, series=name, **fields)
        if sentences:  # kind and title once, for the first series only
            text = text.split(". ", 1)[1]
        sentences.append(text)
        if len(seen) >= 3:  # first and last alone can hide a peak or a trough between them
            sentences.append(_range_sentence(seen, lang, decimals))
        hidden = part.loc[part["_suppressed"], "x"].astype(int).tolist()
        if hidden:
            sentences.append(
                i18n.t(
                    "chart.alt.suppressed_years",
                    lang,
                    threshold=i18n.number(threshold, lang),
                    years=", ".join(str(y) for y in hidden),
                )
            )
        for reason in dict.fromkeys(r for r in part["_reason"] if r not in ("", "primary")):
            years = part.loc[part["_reason"].eq(reason), "x"].astype(int).tolist()
            sentences.append(
                i18n.t(
                    "chart.alt.hidden_years",
                    lang,
                    years=", ".join(str(y) for y in years),
                    reason=_reason_text(str(reason), lang, threshold),
                )
            )
    return " ".join(sentences)


def _range_sentence(seen: pd.DataFrame, lang: str, decimals: int) -> str:
    """Return the sentence with the lowest and highest values of a series and their (first) years."""
    low = seen.loc[seen["_value"].astype(float).idxmin()]
    high = seen.loc[seen["_value"].astype(float).idxmax()]
    return i18n.t(
        "chart_range.range",
        lang,
        min=i18n.number(low["_value"], lang, decimals),
        min_year=int(low["x"]),
        max=i18n.number(high["_value"], lang, decimals),
        max_year=int(high["x"]),
    )


def _hbars(
    alt: Any,
    data: pd.DataFrame,
    *,
    lang: str,
    title: str,
    x_title: str,
    y_title: str | None,
    threshold: float,
    decimals: int,
    colour: Any,
) -> Any:
    """Horizontal bars of ``data`` (columns ``label``, ``_value``, ``_suppressed``)."""
    strokedash, supp_label = _suppressed_legend(alt, lang, threshold)
    order = (
        data[data["_value"].notna()].sort_values("_value", ascending=False, kind="stable")["label"]
    ).tolist()
    order += data.loc[data["_suppressed"], "label"].tolist()
    order += data.loc[data["_value"].isna() & ~data["_suppressed"], "label"].tolist()
    data = data.copy()
    data["_status"] = [supp_label if s else "" for s in data["_suppressed"]]
    data["_bound"] = [float(threshold) if s else None for s in data["_suppressed"]]
    data["_text"] = [_value_text(r, lang, threshold, decimals) for _, r in data.iterrows()]
    data["_text_x"] = [
        r["_bound"] if r["_suppressed"] else (0.0 if _missing(r["_value"]) else r["_value"])
        for _, r in data.iterrows()
    ]
    base = alt.Chart(alt.Data(values=_records(data)))
    y_enc = alt.Y("label:N", title=y_title, sort=order, axis=alt.Axis(labelLimit=260))
    x_enc = alt.X("_value:Q", title=x_title, axis=alt.Axis(format=",d" if decimals == 0 else ","))
    layers = [
        base.transform_filter("datum._value != null")
        .mark_bar()
        .encode(y=y_enc, x=x_enc, color=colour)
    ]
    if data["_suppressed"].any():
        layers.append(
            base.transform_filter("datum._suppressed")
            .transform_calculate(_zero="0")
            .mark_bar(fill=SUPPRESSED_FILL, stroke=SUPPRESSED_STROKE, strokeWidth=1.2)
            .encode(
                y=y_enc,
                x=alt.X("_zero:Q", title=x_title),
                x2=alt.X2("_bound:Q"),
                strokeDash=strokedash,
            )
        )
    layers.append(
        base.mark_text(align="left", dx=4).encode(
            y=y_enc, x=alt.X("_text_x:Q", title=x_title), text=alt.Text("_text:N")
        )
    )
    height = max(_BAR_STEP * len(order), 60)
    return _with(alt.layer(*layers), title=title, width=_WIDTH - 80, height=height)


@_unchecked
def bar_chart(
    df: pd.DataFrame,
    *,
    lang: str,
    title: str,
    x_title: str,
    category: str = "category",
    value: str = "value",
    suppressed: str = "suppressed",
    label_kind: str | None = "category",
    y_title: str | None = None,
    threshold: float = 5,
    decimals: int = 0,
) -> tuple[alt.LayerChart, str]:
    """Return horizontal bars, one per category, largest first, and the text alternative.

    Parameters
    ----------
    df
        One row per category: ``category``, ``value``, ``suppressed`` (bool).
    lang
        ``"en"`` or ``"es"``.
    title, x_title
        Chart title and value-axis title, already in ``lang``.
    category, value, suppressed
        Column names.
    label_kind
        Translate the categories with :func:`corett_lib.core.i18n.label` of this kind (``"category"`` for
        forms of exploitation, ``"citizenship"``...); ``None`` shows them as given.
    y_title
        Category-axis title (default none).
    threshold
        Suppressed values are below this.
    decimals
        Decimals shown.

    Returns
    -------
    (alt.LayerChart, str)
        The chart and its text alternative listing every category's value.
    """
    alt = _alt()
    data = _prepare(df, {"label": category}, value, suppressed)
    if label_kind is not None:
        data["label"] = [i18n.label(label_kind, v, lang) for v in data["label"]]
    data["label"] = data["label"].astype(str)
    chart = _hbars(
        alt,
        data,
        lang=lang,
        title=title,
        x_title=x_title,
        y_title=y_title,
        threshold=threshold,
        decimals=decimals,
        colour=alt.ColorValue(PALETTE[0]),
    )
    return chart, _list_alt(data, lang, "chart.kind.bar", title, threshold, decimals)


def _list_alt(
    data: pd.DataFrame, lang: str, kind_key: str, title: str, threshold: float, decimals: int
) -> str:
    ranked = sorted(
        data.to_dict(orient="records"),
        key=lambda r: (
            _missing(r["_value"]),
            not r["_suppressed"],
            -(0 if _missing(r["_value"]) else r["_value"]),
        ),
    )
    items = "; ".join(_item(r["label"], r, lang, threshold, decimals) for r in ranked)
    return i18n.t("chart.alt.values", lang, kind=i18n.t(kind_key, lang), title=title, items=items)


@_unchecked
def comparison_chart(
    df: pd.DataFrame,
    *,
    lang: str,
    title: str,
    x_title: str,
    country: str = "iso3",
    value: str = "value",
    suppressed: str = "suppressed",
    highlight: str | None = None,
    threshold: float = 5,
    decimals: int = 0,
    status: str | None = None,
) -> tuple[alt.LayerChart, str]:
    """Return members side by side for one year (horizontal bars), and the text alternative.

    Parameters
    ----------
    df
        One row per member: ``country`` (ISO3), ``value``, ``suppressed`` (bool). Members that did
        not report can be given with a missing value: they are labelled "no data".
    lang
        ``"en"`` or ``"es"``.
    title, x_title
        Chart title and value-axis title, already in ``lang``.
    country, value, suppressed
        Column names.
    highlight
        ISO3 of the member to draw in the accent colour (the report's country), or None.
    threshold
        Suppressed values are below this.
    decimals
        Decimals shown.
    status
        Optional column: why a suppressed member is hidden (see :func:`trend_chart`).

    Returns
    -------
    (alt.LayerChart, str)
        The chart and its text alternative: every member's value and the highest.
    """
    alt = _alt()
    data = _prepare(df, {"iso3": country}, value, suppressed, status)
    data["label"] = [i18n.country_name(c, lang) for c in data["iso3"]]
    if highlight is not None:
        focus = i18n.t("chart.legend.highlight", lang, country=i18n.country_name(highlight, lang))
        others = i18n.t("chart.legend.others", lang)
        data["group"] = [focus if c == highlight else others for c in data["iso3"]]
        colour = alt.Color(
            "group:N",
            title=None,
            scale=alt.Scale(domain=[focus, others], range=[PALETTE[1], OTHERS_COLOUR]),
        )
    else:
        colour = alt.ColorValue(PALETTE[0])
    chart = _hbars(
        alt,
        data,
        lang=lang,
        title=title,
        x_title=x_title,
        y_title=None,
        threshold=threshold,
        decimals=decimals,
        colour=colour,
    )
    text = _list_alt(data, lang, "chart.kind.comparison", title, threshold, decimals)
    seen = data[data["_value"].notna()]
    if not seen.empty:
        top = seen.loc[seen["_value"].astype(float).idxmax()]
        text += " " + i18n.t(
            "chart.alt.highest",
            lang,
            label=top["label"],
            value=i18n.number(top["_value"], lang, decimals),
        )
    return chart, text


@_unchecked
def stacked_bar(
    df: pd.DataFrame,
    *,
    lang: str,
    title: str,
    x_title: str,
    category: str = "sex",
    stack: str = "age",
    value: str = "value",
    suppressed: str = "suppressed",
    category_kind: str | None = "sex",
    stack_kind: str | None = "age",
    threshold: float = 5,
    decimals: int = 0,
) -> tuple[alt.LayerChart, str]:
    """Return horizontal stacked bars (e.g. one bar per sex, stacked by age group), and the text.

    Segments are stacked in the order the stack values first appear in ``df``. Suppressed segments go
    at the end of their bar, drawn as ranges ``[0, threshold]`` (light fill, dashed outline), so the
    reported segments keep their exact positions. Pass the parts only (no "Total" rows).

    Parameters
    ----------
    df
        One row per (category, stack) pair: ``category``, ``stack``, ``value``, ``suppressed``.
    lang
        ``"en"`` or ``"es"``.
    title, x_title
        Chart title and value-axis title, already in ``lang``.
    category, stack, value, suppressed
        Column names: ``category`` gives the bars, ``stack`` the coloured segments.
    category_kind, stack_kind
        :func:`corett_lib.core.i18n.label` kinds to translate the bar and segment labels (``None``: as given).
    threshold
        Suppressed values are below this.
    decimals
        Decimals shown.

    Returns
    -------
    (alt.LayerChart, str)
        The chart and its text alternative, bar by bar.
    """
    alt = _alt()
    data = _prepare(df, {"label": category, "part": stack}, value, suppressed)
    if category_kind is not None:
        data["label"] = [i18n.label(category_kind, v, lang) for v in data["label"]]
    if stack_kind is not None:
        data["part"] = [i18n.label(stack_kind, v, lang) for v in data["part"]]
    bars = list(dict.fromkeys(data["label"]))
    parts = list(dict.fromkeys(data["part"]))
    strokedash, supp_label = _suppressed_legend(alt, lang, threshold)
    starts, ends = [], []
    position: dict[str, float] = {}
    data["_rank"] = [(1 if s else 0) for s in data["_suppressed"]]
    data["_order"] = [parts.index(p) for p in data["part"]]
    data = data.sort_values(["_rank", "_order"], kind="stable")
    for _, row in data.iterrows():
        at = position.get(row["label"], 0.0)
        drawn = row["_suppressed"] or not _missing(row["_value"])
        size = float(threshold) if row["_suppressed"] else (row["_value"] if drawn else 0.0)
        starts.append(at if drawn else None)
        ends.append(at + size if drawn else None)
        position[row["label"]] = at + size if drawn else at
    data["_x0"], data["_x1"] = starts, ends
    data["_status"] = [supp_label if s else "" for s in data["_suppressed"]]
    base = alt.Chart(alt.Data(values=_records(data.drop(columns=["_rank", "_order"]))))
    y_enc = alt.Y("label:N", title=None, sort=bars)
    x_enc = alt.X("_x0:Q", title=x_title, axis=alt.Axis(format=",d" if decimals == 0 else ","))
    layers = [
        base.transform_filter("datum._value != null")
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            y=y_enc,
            x=x_enc,
            x2=alt.X2("_x1:Q"),
            color=alt.Color("part:N", title=None, sort=parts, scale=alt.Scale(domain=parts)),
        )
    ]
    if data["_suppressed"].any():
        layers.append(
            base.transform_filter("datum._suppressed")
            .mark_bar(fill=SUPPRESSED_FILL, stroke=SUPPRESSED_STROKE, strokeWidth=1.2)
            .encode(y=y_enc, x=x_enc, x2=alt.X2("_x1:Q"), strokeDash=strokedash)
        )
    chart = _with(
        alt.layer(*layers),
        title=title,
        width=_WIDTH - 80,
        height=max(_BAR_STEP * 1.6 * len(bars), 60),
    )
    groups = []
    for bar in bars:
        rows = data[data["label"] == bar].sort_values("_order", kind="stable")
        items = ", ".join(
            _item(r["part"], r, lang, threshold, decimals) for _, r in rows.iterrows()
        )
        groups.append(i18n.t("chart.alt.group", lang, label=bar, items=items))
    text = i18n.t(
        "chart.alt.values",
        lang,
        kind=i18n.t("chart.kind.stacked_bar", lang),
        title=title,
        items="; ".join(groups),
    )
    return chart, text


def _vl_version() -> str | None:
    import altair as alt

    vlc = renderer.vl_convert()

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to a standalone SVG string, offline.

    The spec is compiled with the workbench theme and rendered by vl-convert with no allowed base
    URL, so no data can be fetched; labels are measured with the fonts vl-convert carries
    (:mod:`corett_lib.reporting.renderer`; none is fetched) and stay as ``<text>`` in the SVG. The only URLs in the result are the SVG namespace
    declarations. The SVG is cached by content (:func:`svg_cache_key`: the compiled spec, with its
    data and labels, and the renderer's versions) under the project cache, so a chart drawn before,
    in another report, kernel or build, is not rendered again.

    Parameters
    ----------
    chart
        An Altair chart (any top-level chart).

    Returns
    -------
    str
        The SVG document.
    """
    vlc = renderer.vl_convert()

    alt = _alt()
    with alt.theme.enable(THEME_NAME):
        # Not validated against the Vega-Lite schema here: the builders' specs are by the tests
        # (tests/test_charts.py), and checking every page's spec costs more than a cached rendering.
        spec = chart.to_dict(validate=False)
    version = _vl_version()
    key = svg_cache_key(spec, version)
    cached = _read_cached_svg(key)
    if cached is not None:
        return cached
    svg: str = vlc.vegalite_to_svg(spec, vl_version=version, allowed_base_urls=[])
    _write_cached_svg(key, svg)
    return svg


#: Folder of the rendered-SVG cache, under the project cache (``$CORETT_CACHE``).
SVG_CACHE_FOLDER = "svg"


def svg_cache_key(spec: dict[str, Any], vl_version: str | None) -> str:
    """Return the content key of a chart's SVG: sha256 of the compiled spec and the renderer's set-up.

    The spec holds the chart's data, labels, language and theme, so any change to what is drawn
    changes the key; vl-convert's and Vega-Lite's versions and the fonts labels are measured with
    (:func:`corett_lib.reporting.renderer.font_policy`) are part of it too.

    Examples
    --------
    >>> a = svg_cache_key({"mark": "bar", "data": {"values": [{"x": 1}]}}, "6.1")
    >>> a == svg_cache_key({"data": {"values": [{"x": 1}]}, "mark": "bar"}, "6.1")
    True
    >>> a == svg_cache_key({"mark": "bar", "data": {"values": [{"x": 2}]}}, "6.1")
    False
    """
    vlc = renderer.vl_convert()

    blob = json.dumps(
        [
            spec,
            vl_version,
            getattr(vlc, "__version__", ""),
            "allowed_base_urls=[]",
            renderer.font_policy(),
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_SVG_STORE = cache.Store(SVG_CACHE_FOLDER)


def _read_cached_svg(key: str) -> str | None:
    """Return the cached SVG of ``key``, or None when absent or failing its integrity check.

    Entries live in the one cache module (:mod:`corett_lib.core.cache`): a damaged or edited entry
    is removed and rendered again. Its warning is silenced here, because it would otherwise show in
    the report being built; the result is the same chart either way.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cache.CacheWarning)
        entry = _SVG_STORE.get(key, prefix="svg", tables=False)
    if (
        entry is None
        or not isinstance(entry.meta, dict)
        or not isinstance(entry.meta.get("svg"), str)
    ):
        return None
    return str(entry.meta["svg"])


def _write_cached_svg(key: str, svg: str) -> None:
    _SVG_STORE.put(key, meta={"svg": svg}, prefix="svg")  # a read-only cache costs a rendering


_NAMESPACE = re.compile(r'\s+xmlns(?::xlink)?="http://www\.w3\.org/[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')


def to_html_fragment(chart: alt.TopLevelMixin, alt_text: str, *, caption: str | None = None) -> str:
    """Return an accessible ``<figure>`` with the chart as inline SVG (no JavaScript).

    The SVG sits in an element with ``role="img"`` and ``aria-label`` set to the text alternative,
    so assistive technology reads one description rather than the marks; the ``<figcaption>`` shows
    ``caption`` (default: the text alternative) to every reader. Namespace declarations are removed
    (inline SVG in HTML needs none, so the fragment contains no URL) and element ids, if any, are made
    unique per figure so several charts can share a page.

    Parameters
    ----------
    chart
        An Altair chart.
    alt_text
        Its text alternative (the second value returned by the builders).
    caption
        Visible caption; default ``alt_text``.

    Returns
    -------
    str
        ``<figure class="corett-chart">…</figure>``.
    """
    svg = _NAMESPACE.sub("", to_svg(chart))
    ids = set(_ID.findall(svg))
    if ids:
        prefix = f"corett-fig{next(_FIGURE_COUNTER)}-"
        for old in sorted(ids, key=len, reverse=True):
            svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"')
            svg = svg.replace(f"url(#{old})", f"url(#{prefix}{old})")
            svg = svg.replace(f'href="#{old}"', f'href="#{prefix}{old}"')
    label = html.escape(alt_text, quote=True)
    shown = html.escape(caption if caption is not None else alt_text)
    return (
        '<figure class="corett-chart">'
        f'<div class="corett-chart-image" role="img" aria-label="{label}">{svg}</div>'
        f"<figcaption>{shown}</figcaption>"
        "</figure>"
    )


#: Colour of each verdict of the evaluation (Okabe–Ito): positive, partial, negative, a list or
#: findings given, nothing to list, and not enough evidence (grey).
VERDICT_COLOURS: dict[str, str] = {
    "yes": "#009E73",
    "fully": "#009E73",
    "largely": "#009E73",
    "partly": "#E69F00",
    "no": "#D55E00",
    "not_at_all": "#D55E00",
    "items": "#0072B2",
    "findings": "#0072B2",
    "no_items": "#56B4E9",
    "nothing_to_explain": "#56B4E9",
    "not_enough_evidence": "#BDBDBD",
}


@_unchecked
def verdict_chart(
    df: pd.DataFrame,
    *,
    lang: str,
    title: str,
    verdicts: list[str],
    question: str = "question_id",
    verdict: str = "verdict",
    marker: str = "marker",
) -> tuple[alt.LayerChart, str]:
    """Return the evaluation's verdict overview chart and its text alternative.

    Return the evaluation's verdict overview: one row per question, one column per verdict,
    a coloured square where the question's answer falls, and the text alternative.

    Parameters
    ----------
    df
        One row per question, in the order to show: ``question`` (its id), ``verdict`` (a key of
        :data:`VERDICT_COLOURS`) and ``marker`` (text drawn beside the square, e.g. ``I`` for an
        answer resting on illustrative data; empty for none).
    lang
        ``"en"`` or ``"es"``.
    title
        Chart title, already in ``lang``.
    verdicts
        The verdict columns, in order (verdicts of ``df`` not listed are an error).
    question, verdict, marker
        Column names.

    Returns
    -------
    (alt.LayerChart, str)
        The chart and its text alternative: each verdict with how many questions got it and which.

    Raises
    ------
    ValueError
        A verdict without a colour or not among ``verdicts``.
    """
    alt = _alt()
    unknown = sorted(set(df[verdict]) - set(verdicts) | set(verdicts) - set(VERDICT_COLOURS))
    if unknown:
        raise ValueError(f"verdict(s) {unknown} have no column or no colour")
    labels = {v: i18n.t(f"verdict.{v}", lang) for v in verdicts}
    data = df.assign(
        _q=df[question].astype(str),
        _v=[labels[v] for v in df[verdict]],
        _m=df[marker].astype(str),
    )[["_q", "_v", "_m"]]
    order_q = data["_q"].tolist()
    order_v = [labels[v] for v in verdicts]
    colour = alt.Color(
        "_v:N",
        title=None,
        scale=alt.Scale(domain=order_v, range=[VERDICT_COLOURS[v] for v in verdicts]),
        legend=None,
    )
    x = alt.X("_v:N", title=None, sort=order_v, scale=alt.Scale(domain=order_v))
    x = x.axis(labelAngle=-35, orient="top")
    y = alt.Y("_q:N", title=None, sort=order_q)
    width = max(_BAR_STEP * len(verdicts), 200)
    base = alt.Chart(alt.Data(values=_records(data)))
    squares = base.mark_square(size=150, opacity=1, filled=True).encode(
        x=x, y=y, color=colour, tooltip=[alt.Tooltip("_q:N"), alt.Tooltip("_v:N")]
    )
    # the marker sits in its own column to the right of the grid, not over the verdict columns
    text = base.mark_text(align="left", fontWeight="bold", color=TEXT_COLOUR).encode(
        x=alt.XValue(width + 8), y=y, text=alt.Text("_m:N")
    )
    chart = _with(squares + text, title=title, width=width, height={"step": 16})
    groups = []
    for v in verdicts:
        ids = data.loc[data["_v"] == labels[v], "_q"].tolist()
        if ids:
            groups.append(
                i18n.t(
                    "chart.alt.verdict_group",
                    lang,
                    verdict=labels[v],
                    n=len(ids),
                    ids=", ".join(ids),
                )
            )
    alt_text = i18n.t(
        "chart.alt.verdicts", lang, title=title, n=len(data), groups="; ".join(groups)
    )
    return chart, alt_text
