"""The annual infographic: one image per country-year and language, for print and social media.

Built by ``notebooks/infographic.ipynb`` (report ``infographic`` of the build matrix), which shows it
on a page with the published figures beneath; the build writes the image beside the page as
``outputs/<year>/<country>/infographic.<lang>.svg`` and ``.png`` (:mod:`corett_lib.batch.products`).

* **Figures** come from one adapter, :func:`infographic_facts`: the same indicator functions as the
  annual report (:func:`corett_lib.reporting.annual.indicators`: source precedence, regional rule,
  censoring, flags), published through :func:`corett_lib.reporting.context.publish` (disclosure
  control, the page's ledger). The image only draws what those published tables show: their display
  strings (``<5``, "suppressed") and the numbers behind shown cells. When the published-facts layer
  (``corett_lib.facts``) lands, only this adapter changes.
* **Words** come from the catalogues (``infographic.*``); the key message is one of the Visibility and
  Communication Strategy's key messages (section 2, "Plan of content of the key messages").
* **Offline**: no remote reference. The PNG is drawn with Liberation Sans, the font vl-convert carries
  (:mod:`corett_lib.reporting.renderer`), the same on every machine; a browser showing the SVG takes
  Liberation Sans or Arial/Helvetica (same metrics) when it has them; a logo is embedded as a ``data:`` URI when the secretariat supplies one
  (``<data>/identity/logo.svg`` or ``logo.png``), else its slot stays empty.
* **PNG**: :func:`corett_lib.reporting.raster.to_png` rasterises the SVG with vl-convert (resvg; no browser), 1080 × 1350 px.
"""

from __future__ import annotations

import base64
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as _xml_escape

from corett_lib.core import config, i18n
from corett_lib.publishing.fact_disclosure import facts_for
from corett_lib.reporting import annual
from corett_lib.reporting.context import (
    Block,
    Context,
    esc,
    heading,
    html_block,
    paragraph,
    publish,
    publish_chart,
    wrap,
)
from corett_lib.reporting.raster import FONT, HEIGHT, WIDTH

if TYPE_CHECKING:
    import pandas as pd

#: Colours (colour-blind safe, dark text on light ground).
NAVY, INK, MUTED, ACCENT, BAR, BAR_ALT, TINT = (
    "#1f3b5a",
    "#1a1a1a",
    "#555555",
    "#b15928",
    "#2c7fb8",
    "#7fcdbb",
    "#eef3f8",
)
#: Years shown in the trend (as in the annual report's trend section).
TREND_YEARS = 10
#: At most this many forms of exploitation are drawn (largest first); the page's table has them all.
MAX_FORMS = 4
#: Flags of the figures shown that the footnote points to the annual report for.
QUALITY_FLAGS: frozenset[str] = frozenset(
    {
        "source_changed",
        "coverage_changed",
        "coverage_unknown",
        "inconsistent",
        "corrected",
        "suspicious",
    }
)
#: Logo file names looked for in ``<data>/identity/`` (first found wins).
LOGO_FILES: tuple[str, ...] = ("logo.svg", "logo.png")


@dataclass(frozen=True)
class Figure:
    """One published figure as the infographic shows it.

    Attributes
    ----------
    label
        What it is, in the page's language.
    text
        As published (``"434"``, ``"<5"``, ``"suppressed"``, ``"–"``).
    value
        The number behind a shown cell; None when suppressed, censored or missing.
    status
        ``""`` when shown, else the disclosure status (``"primary"``, ``"derived"``, ...).
    """

    label: str
    text: str
    value: float | None
    status: str = ""
    drawn: float | None = None  #: bar length: the value, or the midpoint of a range such as 320–323

    @property
    def shown(self) -> bool:
        """True when the figure is shown (a number or a range), so it can be drawn."""
        return self.drawn is not None and not self.status


@dataclass
class InfographicFacts:
    """Everything the infographic shows, already through disclosure control."""

    country: str
    year: int
    lang: str
    place: str  #: the country's (or the region's) name
    victims: Figure
    previous: Figure  #: detected victims the year before
    change: Figure  #: percent change on the previous year
    rate: Figure  #: SDG 16.2.2, per 100,000 population
    source: str  #: source of the headline figure, as the report names it
    trend: list[Figure] = field(default_factory=list)  #: label = year; years without data kept
    sex: list[Figure] = field(default_factory=list)
    age: list[Figure] = field(default_factory=list)
    forms: list[Figure] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  #: every source the figures come from
    coverage: str = ""  #: regional headline figure: how many members it covers
    breakdown_coverage: str = ""  #: regional breakdowns (sum of members): how many members
    flags: set[str] = field(default_factory=set)  #: flags of the figures shown
    suppressed: int = 0  #: cells disclosure control withheld
    tables: list[Any] = field(default_factory=list)  #: the published tables (for the page)


def _val(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _flags(rows: pd.DataFrame) -> set[str]:
    out: set[str] = set()
    for f in rows.get("flags", []):
        out |= {x for x in str(f or "").split(";") if x}
    return out


def infographic_facts(ctx: Context) -> InfographicFacts:
    """Return the infographic's figures for the report's country, year and language.

    The one adapter between the infographic and the data: the annual report's indicator function
    (:func:`corett_lib.reporting.annual.indicators`) and the publishing function
    (:func:`corett_lib.reporting.context.publish`, the page's threshold and ledger), so the image shows
    exactly what the annual report shows, with the same suppression and flags.

    Parameters
    ----------
    ctx
        The report's context (``open_context``).

    Returns
    -------
    InfographicFacts
    """
    import pandas as pd

    lang = ctx.lang
    src_col, year_col = i18n.t("label.source", lang), i18n.t("label.year", lang)
    place = config.coalition().name if ctx.regional else i18n.country_name(ctx.country, lang)
    flags: set[str] = set()
    sources: list[str] = []
    tables: list[Any] = []

    # Headline: as the annual report's headline section.
    t = annual.indicators(ctx, ["victims", "victims_change", "victims_rate"]).set_index(
        "indicator_id"
    )
    victims = t.loc["victims"]
    before = annual.indicators(ctx, ["victims"], years=[ctx.year - 1]).iloc[0]
    name = str(t.loc["victims", "label"])
    now_col, before_col = f"{name} {ctx.year}", f"{name} {ctx.year - 1}"
    change_col, rate_col = (
        str(t.loc["victims_change", "label"]),
        str(t.loc["victims_rate", "label"]),
    )
    source = annual.source_name(victims["source"], lang)
    head = publish(
        ctx,
        pd.DataFrame(
            {
                now_col: [annual._count(victims)],
                before_col: [annual._count(before)],
                change_col: [t.loc["victims_change", "value"]],
                rate_col: [t.loc["victims_rate", "value"]],
                src_col: [source],
            }
        ),
        table_id="infographic_headline",
        title=i18n.t("infographic.figures.headline", lang),
        count_columns=[now_col, before_col],
        derived={change_col: [now_col, before_col], rate_col: now_col},
        formats={change_col: "number:1", rate_col: "number:2"},
        facts={
            **facts_for(t.reset_index().iloc[[0]], now_col),
            **facts_for(before.to_frame().T, before_col),
        },
    )
    tables.append(head)
    flags |= _flags(t.reset_index())

    def fig(pub: Any, row: int, col: str, label: str, cell: Any = None) -> Figure:
        value = _val(pub.values[col].iloc[row])
        status = str(pub.status[col].iloc[row])
        drawn = value
        low, high = _val(getattr(cell, "low", None)), _val(getattr(cell, "high", None))
        if value is None and not status and low is not None and high is not None:
            drawn = (low + high) / 2  # a range: drawn at its midpoint, as the trend chart does
        return Figure(label, str(pub.display[col].iloc[row]), value, status, drawn)

    def add_sources(names: Any) -> None:
        for n in names:
            if n not in sources:
                sources.append(n)

    has_victims = bool(victims["censored"]) or _val(victims["value"]) is not None
    if has_victims:
        add_sources([source])
    coverage = ""
    if ctx.regional and _val(victims["coverage_of"]) is not None:
        coverage = i18n.t(
            "label.coverage",
            lang,
            n=int(victims["coverage_n"]),
            total=int(victims["coverage_of"]),
        )

    # Trend: as the annual report's trend section (years without a figure stay on the axis).
    years = list(range(ctx.year - TREND_YEARS + 1, ctx.year + 1))
    tt = annual.indicators(ctx, ["victims"], years=years)
    tt = tt[annual._has_value(tt)]
    trend: list[Figure] = []
    if not tt.empty:
        df = pd.DataFrame(
            {
                year_col: tt["year"].astype(int).to_list(),
                name: [annual._count(r) for _, r in tt.iterrows()],
                src_col: [annual.source_name(s, lang) for s in tt["source"]],
            }
        )
        data = publish_chart(
            ctx,
            df,
            chart_id="infographic_trend",
            title=name,
            count_columns=[name],
            facts=facts_for(tt, name),
        )
        tables.append(data)
        by_year = {
            int(y): fig(data.table, i, name, str(y), df[name].iloc[i])
            for i, y in enumerate(df[year_col])
        }
        no_data = i18n.t("label.no_data", lang)
        trend = [
            by_year.get(y, Figure(str(y), no_data, None, "no_data"))
            for y in years
            if y >= min(by_year)
        ]
        flags |= _flags(tt)
        add_sources(df[src_col])

    def breakdown(disaggregation: str, table_id: str) -> list[Figure]:
        b = annual.indicators(ctx, ["victims"], disaggregations=("total", disaggregation))
        parts = b[(b["disaggregation"] == disaggregation) & annual._has_value(b)]
        if parts.empty:
            return []
        total = b[b["disaggregation"] == "total"]
        rows = pd.concat([parts, total]) if len(total) and annual._has_value(total).all() else parts
        cat_col = str(rows["disaggregation_label"].iloc[0])
        total_label = i18n.t("label.total", lang)
        df = pd.DataFrame(
            {
                year_col: [ctx.year] * len(rows),
                cat_col: [
                    total_label if d == "total" else c
                    for d, c in zip(rows["disaggregation"], rows["category_label"], strict=True)
                ],
                name: [annual._count(r) for _, r in rows.iterrows()],
                src_col: [annual.source_name(s, lang) for s in rows["source"]],
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
            facts=facts_for(rows, name),
        )
        tables.append(pub)
        flags.update(_flags(parts))
        add_sources(df[src_col])
        covered.extend(int(n) for n in parts["coverage_n"] if _val(n) is not None)
        return [
            fig(pub, i, name, str(df[cat_col].iloc[i]), df[name].iloc[i])
            for i in range(len(df))
            if df[cat_col].iloc[i] != total_label
        ]

    covered: list[int] = []
    sex = breakdown("sex", "infographic_sex")
    age = breakdown("age", "infographic_age")
    forms = breakdown("form", "infographic_form")
    forms.sort(key=lambda f: -(f.drawn if f.drawn is not None else -1.0))
    breakdown_coverage = ""
    if ctx.regional and covered:
        breakdown_coverage = i18n.t(
            "label.coverage", lang, n=max(covered), total=len(config.coalition().members)
        )

    return InfographicFacts(
        country=ctx.country,
        year=ctx.year,
        lang=lang,
        place=place,
        victims=fig(head, 0, now_col, name),
        previous=fig(head, 0, before_col, before_col),
        change=fig(head, 0, change_col, change_col),
        rate=fig(head, 0, rate_col, rate_col),
        source=source if has_victims else "",
        trend=trend,
        sex=sex,
        age=age,
        forms=forms,
        sources=sources,
        coverage=coverage,
        breakdown_coverage=breakdown_coverage,
        flags=flags,
        suppressed=sum(
            int((p.status if hasattr(p, "status") else p.table.status).ne("").to_numpy().sum())
            for p in tables
        ),
        tables=tables,
    )


# --------------------------------------------------------------------------- drawing


def logo_data_uri(data_dir: str | Path | None) -> str:
    """Return the secretariat's logo as a ``data:`` URI, or ``""`` when none is supplied.

    Looked for as ``<data>/identity/logo.svg`` or ``logo.png``: a file in the data folder, so a new
    logo rebuilds the infographics (the build's input checksums cover the data folder).
    """
    if not data_dir:
        return ""
    folder = Path(data_dir) / "identity"
    for name in LOGO_FILES:
        p = folder / name
        if p.is_file():
            mime = "image/svg+xml" if name.endswith(".svg") else "image/png"
            return f"data:{mime};base64," + base64.b64encode(p.read_bytes()).decode("ascii")
    return ""


def _x(text: object) -> str:
    return _xml_escape(str(text), {'"': "&quot;"})


def _wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Split ``text`` into lines that fit ``width`` at font ``size``.

    The widths are DejaVu Sans's averages, about 0.52 em per character of running text, 0.57 em in
    bold: wider than Liberation Sans's, so a line fits in whichever font of :data:`FONT` a browser uses.
    """
    chars = max(8, int(width / ((0.57 if bold else 0.52) * size)))
    return textwrap.wrap(text, chars) or [""]


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **attrs: Any) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{_x(v)}"' for k, v in attrs.items())
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
            f'fill="{fill}"{extra}/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        fill: str = INK,
        weight: str = "normal",
        anchor: str = "start",
        style: str = "normal",
    ) -> None:
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}" font-style="{style}" text-anchor="{anchor}">{_x(text)}</text>'
        )

    def lines(
        self, x: float, y: float, text: str, size: float, width: float, lead: float = 1.3, **kw: Any
    ) -> float:
        """Draw wrapped text; return the y below the last line."""
        for line in _wrap(text, size, width, kw.get("weight") == "bold"):
            self.text(x, y, line, size, **kw)
            y += size * lead
        return y


def _bars(
    c: _Canvas, figs: list[Figure], x: float, y: float, width: float, colour: str, label_w: float
) -> float:
    """Horizontal bars with their published text, on one scale; return the y below them."""
    top = max((f.drawn for f in figs if f.shown and f.drawn), default=0.0) or 1.0
    bar_w = width - label_w - 120
    for f in figs:
        c.text(x, y + 22, _short(f.label, label_w - 10, 19), 19, INK)
        if f.shown and f.drawn is not None:
            w = max(bar_w * f.drawn / top, 2)
            c.rect(x + label_w, y + 3, w, 26, colour)
            c.text(x + label_w + w + 8, y + 23, f.text, 19, INK, "bold")
        else:
            c.rect(x + label_w, y + 3, 30, 26, "none", stroke=MUTED, stroke_dasharray="4 3")
            c.text(x + label_w + 38, y + 23, f.text, 19, MUTED, style="italic")
        y += 38
    return y


def render_svg(facts: InfographicFacts, logo: str = "") -> str:
    """Return the infographic as a standalone SVG document (1080 × 1350 units).

    Drawn once, then again with the trend chart taller when the figures leave room (a member with
    few breakdowns would otherwise leave the bottom of the image empty).

    Parameters
    ----------
    facts
        From :func:`infographic_facts`.
    logo
        The secretariat's logo as a ``data:`` URI (:func:`logo_data_uri`); empty leaves its slot empty.

    Returns
    -------
    str
        The SVG; it references nothing outside itself.
    """
    svg, bottom = _draw(facts, logo, 0.0)
    spare = HEIGHT - 20 - bottom
    if spare > 10:
        svg, _ = _draw(facts, logo, min(spare, 200.0))
    return svg


def _draw(facts: InfographicFacts, logo: str, extra: float) -> tuple[str, float]:
    """Draw the infographic, the trend chart ``extra`` units taller; return it and its last line's y."""
    lang = facts.lang

    def tr(key: str, **kw: Any) -> str:
        return i18n.t(key, lang, **kw)

    coalition = config.coalition()
    c = _Canvas()
    c.rect(0, 0, WIDTH, HEIGHT, "#ffffff")

    # Identity band: the coalition's name and the logo slot (empty unless a logo is supplied).
    c.rect(0, 0, WIDTH, 150, NAVY)
    c.text(60, 70, coalition.name, 44, "#ffffff", "bold")
    c.lines(
        60, 108, coalition.name_es if lang == "es" else coalition.name_en, 21, 780, fill="#ffffff"
    )
    if logo:
        c.parts.append(
            f'<image x="880" y="20" width="160" height="110" href="{_x(logo)}" '
            'preserveAspectRatio="xMidYMid meet"/>'
        )

    # Title.
    c.text(
        60, 215, f"{facts.place} · {facts.year}", 46 if len(facts.place) < 24 else 36, INK, "bold"
    )
    c.text(60, 255, tr("infographic.subtitle"), 24, MUTED)

    # Headline tiles: detected victims, change on the previous year, SDG 16.2.2.
    change = facts.change.text
    if facts.change.shown and facts.change.value is not None:
        change = ("+" if facts.change.value > 0 else "") + i18n.percent(
            facts.change.value, lang, 1, fraction=False
        )
    tiles = [
        (facts.victims, facts.victims.text, tr("infographic.victims", year=facts.year)),
        (facts.change, change, tr("infographic.change", previous_year=facts.year - 1)),
        (facts.rate, facts.rate.text, tr("infographic.rate")),
    ]
    for i, (f, text, caption) in enumerate(tiles):
        tx = 60 + i * 330
        c.rect(tx, 285, 300, 190, TINT, rx=10)
        size = 64 if len(text) <= 5 else 52 if len(text) <= 7 else 36
        c.text(tx + 20, 360, text, size, NAVY if f.shown else MUTED, "bold")
        c.lines(tx + 20, 400, caption, 19, 260, fill=INK)
    src = tr("source.line", source=facts.source) if facts.source else tr("infographic.no_figure")
    if facts.coverage:
        src += f" · {facts.coverage}"
    y: float = c.lines(60, 505, src, 17, 960, fill=MUTED)

    # Trend: years without a figure keep their place on the axis.
    y = max(y + 30, 560)
    first = facts.trend[0].label if facts.trend else facts.year
    c.text(60, y, tr("infographic.trend", first=first, last=facts.year), 26, INK, "bold")
    base = y + 180 + extra
    if facts.trend:
        slot = 960 / len(facts.trend)
        top = max((f.drawn for f in facts.trend if f.shown and f.drawn), default=0.0) or 1.0
        for i, f in enumerate(facts.trend):
            bx, bw = 60 + i * slot + slot * 0.12, slot * 0.76
            if f.shown and f.drawn is not None:
                h = max((120 + extra) * f.drawn / top, 2)
                c.rect(bx, base - h, bw, h, BAR if f.label == str(facts.year) else BAR_ALT)
                size = 17 if len(f.text) <= 6 else 13
                c.text(bx + bw / 2, base - h - 8, f.text, size, INK, "bold", "middle")
            else:
                c.text(bx + bw / 2, base - 8, f.text, 14, MUTED, anchor="middle", style="italic")
            c.text(bx + bw / 2, base + 26, f.label, 17, MUTED, anchor="middle")
    else:
        c.text(60, y + 60, tr("infographic.no_figure"), 20, MUTED, style="italic")

    # Who the victims are (sex, age); forms of exploitation (largest first).
    y = base + 75
    c.text(60, y, tr("infographic.who"), 26, INK, "bold")
    c.text(580, y, tr("infographic.forms"), 26, INK, "bold")
    yl = yr = y + 15
    if facts.sex or facts.age:
        yl = _bars(c, facts.sex, 60, yl, 490, BAR, 195)
        yl = _bars(c, facts.age, 60, yl + (8 if facts.sex else 0), 490, BAR_ALT, 195)
        missing = (
            "infographic.no_sex" if not facts.sex else "" if facts.age else "infographic.no_age"
        )
        if missing:
            yl = c.lines(60, yl + 20, tr(missing), 16, 470, fill=MUTED, style="italic")
    else:
        yl = c.lines(
            60, yl + 30, tr("infographic.no_breakdown"), 19, 460, fill=MUTED, style="italic"
        )
    if facts.forms:
        yr = _bars(c, facts.forms[:MAX_FORMS], 580, yr, 440, ACCENT, 250)
        if len(facts.forms) > MAX_FORMS:
            more = tr("infographic.more_forms", n=len(facts.forms) - MAX_FORMS)
            yr = c.lines(580, yr + 16, more, 16, 440, fill=MUTED)
    else:
        yr = c.lines(
            580, yr + 30, tr("infographic.no_breakdown"), 19, 440, fill=MUTED, style="italic"
        )

    # Key message, in the Strategy's voice.
    y = max(yl, yr, base + 160) + 15
    message = tr("infographic.key_message")
    box = 36 + len(_wrap(message, 22, 900, True)) * 22 * 1.3 + 26
    c.rect(60, y, 960, box, TINT, rx=10)
    c.rect(60, y, 8, box, ACCENT)
    yk = c.lines(90, y + 36, message, 22, 900, fill=NAVY, weight="bold")
    c.text(90, yk + 2, tr("infographic.key_message_source"), 15, MUTED)

    # Footnote: sources, coverage, caveats (smaller type when it would not fit).
    y += box + 32
    notes = footnotes(facts)
    note_size = 15.0
    while note_size > 10 and (
        y + note_size * 1.3 * sum(len(_wrap(n, note_size, 960)) for n in notes) > HEIGHT - 10
    ):
        note_size -= 0.5
    for note in notes:
        y = c.lines(60, y, note, note_size, 960, 1.3, fill=MUTED)
    bottom = y

    title = tr("infographic.title", place=facts.place, year=facts.year)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}" lang="{lang}">'
        f"<title>{_x(title)}</title><desc>{_x(alt_text(facts))}</desc>"
        + "".join(c.parts)
        + "</svg>"
    ), bottom


def footnotes(facts: InfographicFacts) -> list[str]:
    """Return the infographic's footnote: sources, coverage and the caveats its figures need."""
    lang = facts.lang
    notes = [i18n.t("infographic.footnote.sources", lang, sources="; ".join(facts.sources) or "–")]
    if facts.coverage or facts.breakdown_coverage:
        notes.append(
            i18n.t(
                "infographic.footnote.coverage",
                lang,
                coverage=facts.coverage or "–",
                breakdown=facts.breakdown_coverage or "–",
            )
        )
    figures = _all(facts)
    if any(f.text.startswith("<") for f in figures):
        notes.append(i18n.t("infographic.footnote.censored", lang))
    ranges = [f.text for f in figures if f.shown and f.value is None]
    if ranges:
        notes.append(i18n.t("infographic.footnote.range", lang, example=ranges[0]))
    if facts.suppressed:
        notes.append(i18n.t("infographic.footnote.suppressed", lang))
    if facts.flags & QUALITY_FLAGS:
        notes.append(i18n.t("infographic.footnote.flags", lang))
    notes.append(i18n.t("infographic.footnote.detection", lang))
    return notes


def _short(label: str, width: float, size: float) -> str:
    chars = int(width / (0.56 * size))
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def _all(facts: InfographicFacts) -> list[Figure]:
    return [
        facts.victims,
        facts.previous,
        facts.change,
        facts.rate,
        *facts.trend,
        *facts.sex,
        *facts.age,
        *facts.forms,
    ]


def alt_text(facts: InfographicFacts) -> str:
    """Return a text alternative of the infographic (its figures in one paragraph)."""
    lang = facts.lang
    parts = [
        i18n.t("infographic.title", lang, place=facts.place, year=facts.year) + ".",
        f"{facts.victims.label}: {facts.victims.text}.",
        f"{facts.rate.label}: {facts.rate.text}.",
    ]
    for group in (facts.sex, facts.age, facts.forms):
        if group:
            parts.append("; ".join(f"{f.label}: {f.text}" for f in group) + ".")
    return " ".join(parts)


# --------------------------------------------------------------------------- the page


class InfographicImage:
    """The infographic in a notebook.

    The page shows it inline (``text/html``); the build takes the SVG (``image/svg+xml``, marked
    ``corett_product: infographic``) and writes it beside the page.
    """

    def __init__(self, svg: str, alt: str) -> None:
        self.svg = svg
        self.alt = alt

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        size = f'width="{WIDTH}" height="{HEIGHT}"'
        labelled = self.svg.replace(size, 'width="100%"', 1).replace(
            "<svg", f'<svg role="img" aria-label="{esc(self.alt)}"', 1
        )
        page = (
            '<figure class="corett-infographic" style="margin:0 0 1em 0">'
            f'<div style="max-width:540px">{labelled}</div></figure>\n'
        )
        return (
            {"text/html": page, "image/svg+xml": self.svg},
            {"image/svg+xml": {"corett_product": "infographic"}},
        )


def title(ctx: Context) -> Block:
    """Return the page's title and what the infographic is."""
    name = i18n.country_name(ctx.country, ctx.lang)
    return wrap(
        heading(i18n.t("report.infographic.title", ctx.lang, country=name, year=ctx.year), 1),
        paragraph(i18n.t("infographic.intro", ctx.lang), css="corett-note"),
    )


def image(ctx: Context, facts: InfographicFacts) -> InfographicImage:
    """Return the report's infographic for the notebook to display (and the build to save).

    Parameters
    ----------
    ctx
        The report's context (its data folder holds the logo, if any).
    facts
        From :func:`infographic_facts`.
    """
    return InfographicImage(render_svg(facts, logo_data_uri(ctx.ds.data_dir)), alt_text(facts))


def figures(ctx: Context, facts: InfographicFacts) -> Block:
    """Return the published tables behind the infographic, with the image's download links."""
    lang = ctx.lang
    links = (
        f'<p class="corett-note">{esc(i18n.t("infographic.downloads", lang))} '
        f'<a href="infographic.{lang}.svg">SVG</a> · <a href="infographic.{lang}.png">PNG</a></p>\n'
    )
    blocks: list[Block | None] = [
        heading(i18n.t("infographic.figures.heading", lang), 2, "figures"),
        paragraph(i18n.t("infographic.figures.intro", lang), css="corett-note"),
        html_block(links),
    ]
    for pub in facts.tables:
        if hasattr(pub, "html_data"):
            blocks.append(html_block(pub.html_data() + pub.table.to_html()))
        else:
            blocks.append(html_block(pub.to_html()))
    return wrap(*blocks)
