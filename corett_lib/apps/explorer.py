"""The analysts' explorer: controls in JupyterLab that drive a chart and a table of the same numbers.

The explorer is a thin layer over the library. Everything it shows is computed by pure functions
that the widgets only call:

* :class:`ExplorerData` — a loaded :class:`~corett_lib.dataset.model.Dataset` with the indicator engine's
  evaluations cached per source (one evaluation per source, computed on first use).
* :class:`ExplorerState` — what the analyst chose: members, year range, indicator, disaggregation,
  source, language, suppression threshold.
* :func:`check_state` — the reasons (in the analyst's language) a state cannot be shown.
* :func:`explore` — state -> :class:`ExplorerView`: the engine's rows
  (:func:`corett_lib.facts.engine.indicator_table`), the table after disclosure control
  (:func:`corett_lib.publishing.publish.publish_table`), the chart drawn from that published table
  (:mod:`corett_lib.reporting.charts`) and its text alternative. The chart and the table show the same numbers
  and the same suppressed cells.
* :func:`download_bytes`, :func:`export_view`, :func:`download_links_html` — the current table as CSV
  or Excel, through :func:`corett_lib.publishing.publish.export_csv` / :func:`~corett_lib.publishing.publish.export_excel`
  (suppressed cells stay suppressed; formula-like text is made inert).
* :func:`build_explorer` — the ipywidgets controls, an Altair ``JupyterChart`` (anywidget, JavaScript
  bundled offline by vl-convert, so nothing is fetched from a CDN) and the table, wired together.

``notebooks/explorer.ipynb`` calls :func:`open_dataset` and :func:`build_explorer`; ``make lab`` opens
it in JupyterLab.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from corett_lib.analysis import quality
from corett_lib.core import config, i18n
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.registry import Indicator, Registry, load_registry
from corett_lib.facts.engine import Evaluation, evaluate
from corett_lib.facts.table import Facts, build_facts
from corett_lib.facts.view import KEY, indicator_table
from corett_lib.publishing import disclosure, fact_disclosure, publish
from corett_lib.publishing.publish import PublishedTable, publish_table
from corett_lib.reporting import charts
from corett_lib.validation.load import load

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd


#: The ``source`` choice that resolves every figure by the indicator's source precedence.
BEST_SOURCE = "best"

#: Thresholds the suppression control offers (``parameters/build.yaml`` allows 2 to 100).
K_RANGE: tuple[int, int] = (2, 25)

#: Flags of the indicator table, in the order they are explained (see ``engine.FLAGS``).
_FLAG_IDS: tuple[str, ...] = (
    "no_data",
    "censored",
    "range",
    "censored_numerator",
    "censored_denominator",
    "zero_denominator",
    "no_population",
    "censored_input",
    "published_regional",
    "partial_coverage",
    "coverage_unknown",
    "source_changed",
    "coverage_changed",
)

Format = Literal["csv", "xlsx"]


# --------------------------------------------------------------------------------------------------
# Data and state


def open_dataset(data: str = "", *, strict: bool = False) -> Dataset:
    """Load the data folder for exploring.

    Parameters
    ----------
    data
        Data folder (empty: ``$CORETT_DATA`` or the shipped ``data/``).
    strict
        True: refuse to open when validation finds an error (as reports do). False (default): open
        anyway; the explorer states how many validation errors there are and figures that failed a
        check are the ones the loaders set aside (run ``make validate`` for the list).

    Returns
    -------
    corett_lib.dataset.model.Dataset

    Raises
    ------
    corett_lib.core.problems.DataError
        With ``strict``, when validation finds an error; always when a file cannot be read.
    """
    return load(data or None, strict=strict)


class ExplorerData:
    """A dataset with the indicator engine's evaluations, cached per source.

    Parameters
    ----------
    ds
        The loaded dataset.
    members
        The coalition's members (default: ``parameters/coalition.yaml``).
    """

    def __init__(self, ds: Dataset, members: Sequence[str] | None = None) -> None:

        self.ds = ds
        self.members: tuple[str, ...] = tuple(members or config.members())
        self.region: str = config.coalition().region_code
        self.registry: Registry = load_registry()
        self._evaluations: dict[str, Evaluation] = {}
        self._facts: dict[str, Facts] = {}
        self._quality: pd.DataFrame | None = None

    def quality_flags(self) -> pd.DataFrame:
        """Return the data-quality flags of the facts (:func:`corett_lib.analysis.quality.fact_flags`).

        The review of the members' observations, computed once; one row per flagged fact and
        source, so a figure shows the same flags whichever source the explorer selects.
        """
        if self._quality is None:
            review = quality.review(self.ds.observations, members=self.members)
            self._quality = quality.fact_flags(review, self.registry)
        return self._quality

    def evaluation(self, source: str = BEST_SOURCE) -> Evaluation:
        """Return the engine's evaluation of every indicator from ``source`` (cached).

        ``BEST_SOURCE`` uses every source, resolved by each indicator's precedence; a source id
        (``"UNODC"``, ``"CORETT"``) uses that source's observations only, so regional figures are that
        source's published regional figures or the sum of that source's member figures.
        """
        if source not in self._evaluations:
            obs = self.ds.observations
            if source != BEST_SOURCE:
                if source not in self.sources():
                    raise KeyError(f"unknown source {source!r}; known: {', '.join(self.sources())}")
                obs = obs.loc[obs["source"].eq(source)]
            self._evaluations[source] = evaluate(
                obs, self.ds.population, registry=self.registry, members=self.members
            )
        return self._evaluations[source]

    def facts(self, source: str = BEST_SOURCE) -> Facts:
        """Return the published facts of :meth:`evaluation` (cached).

        The same flags, withheld shares and coverage as the reports.
        """
        if source not in self._facts:
            self._facts[source] = build_facts(self.evaluation(source))
        return self._facts[source]

    def sources(self) -> list[str]:
        """Return the sources present in the observations, in the default precedence order."""
        present = set(self.ds.observations["source"].dropna().astype(str))
        order = list(self.registry.defaults.precedence)
        return [s for s in order if s in present] + sorted(present - set(order))

    def year_bounds(self) -> tuple[int, int]:
        """Return the first and last year of any observation."""
        years = self.ds.observations["year"].dropna().astype(int)
        return int(years.min()), int(years.max())

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the registry's indicator ``indicator_id`` (``KeyError`` when unknown)."""
        return self.registry.get(indicator_id)


@dataclass(frozen=True)
class ExplorerState:
    """What the analyst chose.

    Attributes
    ----------
    countries
        ISO3 codes of members and/or the region (``CORETT``), in the order chosen.
    years
        First and last year, inclusive.
    indicator
        Indicator id (``corett_lib/dataset/registry.yaml``).
    disaggregation
        Disaggregation id allowed for the indicator (``total``, ``sex``, ``age``, ``sex_age``,
        ``form``, ``citizenship``).
    source
        :data:`BEST_SOURCE` or a source id.
    lang
        ``"en"`` or ``"es"``.
    k
        Suppression threshold: counts from 1 to k-1 are suppressed.
    """

    countries: tuple[str, ...] = ("HND",)
    years: tuple[int, int] = (2016, 2022)
    indicator: str = "victims"
    disaggregation: str = "total"
    source: str = BEST_SOURCE
    lang: str = "en"
    k: int = 5

    def year_list(self) -> list[int]:
        """Return every year of the range."""
        return list(range(int(self.years[0]), int(self.years[1]) + 1))


def parse_countries(text: str | Iterable[str]) -> tuple[str, ...]:
    """Return ISO3 codes from ``"HND, GTM"`` (or a list), upper-cased, without repeats.

    Examples
    --------
    >>> parse_countries(" hnd,GTM , hnd")
    ('HND', 'GTM')
    """
    items = re.split(r"[,\s]+", text) if isinstance(text, str) else list(text)
    return tuple(dict.fromkeys(s.strip().upper() for s in items if s and s.strip()))


def default_k() -> int:
    """Return the build's suppression threshold (``parameters/build.yaml`` ``disclosure_k``)."""
    return int(config.build_matrix().disclosure_k)


def check_state(data: ExplorerData, state: ExplorerState) -> list[str]:
    """Return why ``state`` cannot be shown, in ``state.lang`` (empty when it can).

    Raises
    ------
    ValueError
        ``state.lang`` is not a catalogue language (a programming error).
    """
    lang = i18n._check_lang(state.lang)
    out: list[str] = []
    known = (*data.members, data.region)
    if not state.countries:
        out.append(i18n.t("explorer.problem.no_country", lang))
    bad = [c for c in state.countries if c not in known]
    if bad:
        out.append(
            i18n.t(
                "explorer.problem.unknown_country",
                lang,
                countries=", ".join(bad),
                known=", ".join(known),
            )
        )
    y0, y1 = int(state.years[0]), int(state.years[1])
    if y0 > y1:
        out.append(i18n.t("explorer.problem.years", lang, start=y0, end=y1))
    ids = data.registry.ids()
    if state.indicator not in ids:
        out.append(
            i18n.t(
                "explorer.problem.unknown_indicator",
                lang,
                indicator=state.indicator,
                known=", ".join(ids),
            )
        )
    else:
        allowed = data.indicator(state.indicator).disaggregations
        if state.disaggregation not in allowed:
            out.append(
                i18n.t(
                    "explorer.problem.disaggregation",
                    lang,
                    disaggregation=state.disaggregation,
                    allowed=", ".join(allowed),
                )
            )
    if state.source != BEST_SOURCE and state.source not in data.sources():
        out.append(
            i18n.t(
                "explorer.problem.unknown_source",
                lang,
                source=state.source,
                known=", ".join(data.sources()),
            )
        )
    if not K_RANGE[0] <= int(state.k) <= 100:
        out.append(i18n.t("explorer.problem.k", lang, k=state.k, low=K_RANGE[0]))
    return out


# --------------------------------------------------------------------------------------------------
# Options of the controls


@dataclass(frozen=True)
class ControlOptions:
    """Labels and values of every control, in one language (``(label, value)`` pairs)."""

    countries: list[tuple[str, str]]
    indicators: list[tuple[str, str]]
    disaggregations: dict[str, list[tuple[str, str]]]
    sources: list[tuple[str, str]]
    languages: list[tuple[str, str]]
    years: tuple[int, int]
    descriptions: dict[str, str]


def control_options(data: ExplorerData, lang: str) -> ControlOptions:
    """Return the choices of every control and their descriptions, in ``lang``.

    Notes
    -----
    The breakdowns offered follow the registry: ``victims`` has ``form``, ``victims_rate`` only
    ``total``. The region is listed last, as "CORETT (region)".
    """
    i18n._check_lang(lang)
    reg = data.registry
    countries = [(i18n.country_name(c, lang), c) for c in data.members]
    countries.append((i18n.t("explorer.region", lang, code=data.region), data.region))
    indicators = [(reg.get(i).name(lang), i) for i in reg.ids()]
    dis = {}
    for i in reg.ids():
        dis[i] = [
            (
                reg.disaggregations[d].label_es
                if lang == "es"
                else reg.disaggregations[d].label_en,
                d,
            )
            for d in reg.get(i).disaggregations
        ]
    best = i18n.t("explorer.source.best", lang, sources=", ".join(data.sources()))
    sources = [(best, BEST_SOURCE), *((s, s) for s in data.sources())]
    languages = [(i18n.t("language.name", code), code) for code in i18n.LANGUAGES]
    keys = ("countries", "years", "indicator", "disaggregation", "source", "lang", "k")
    descriptions = {key: i18n.t(f"explorer.control.{key}", lang) for key in keys}
    return ControlOptions(
        countries=countries,
        indicators=indicators,
        disaggregations=dis,
        sources=sources,
        languages=languages,
        years=data.year_bounds(),
        descriptions=descriptions,
    )


# --------------------------------------------------------------------------------------------------
# The view


@dataclass
class ExplorerView:
    """What the explorer shows for one state.

    Attributes
    ----------
    state
        The state shown.
    rows
        The indicator engine's rows (:data:`corett_lib.facts.view.COLUMNS`), before
        disclosure control: for the analyst's own checks, never for publication.
    table
        The table after disclosure control; :meth:`PublishedTable.to_html` shows it and the
        downloads export it.
    chart_data
        One row per mark: ``series``, ``year``, ``iso3``, ``value`` (null where the table hides
        it or has no figure), ``suppressed`` (drawn as ``<k``), ``hidden`` (not drawn, named in the
        text alternative), ``text`` (the table's display string).
    chart
        The Altair chart (a trend over years, bars for one year, or members compared).
    chart_kind
        ``"trend"``, ``"bar"``, ``"comparison"``, or ``"empty"`` (no figure to draw).
    title
        The chart's and table's title.
    alt_text
        The chart's text alternative.
    notes
        Sentences shown under the table: source, threshold, flags explained.
    """

    state: ExplorerState
    rows: pd.DataFrame
    table: PublishedTable
    chart_data: pd.DataFrame
    chart: alt.TopLevelMixin
    chart_kind: str
    title: str
    alt_text: str
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Return the title and the text alternative (what a screen reader announces)."""
        return f"{self.title}\n{self.alt_text}"


def _col(key: str, lang: str) -> str:
    return i18n.t(f"explorer.column.{key}", lang)


def _flag_text(flags: str, lang: str) -> str:
    ids = [f for f in str(flags or "").split(";") if f]
    return "; ".join(i18n.t(f"explorer.flag.{f}", lang) if f in _FLAG_IDS else f for f in ids)


def _quality_text(rules: str, lang: str) -> str:
    """``time_consistency;outlier_sd`` -> the rules' names in ``lang``, ``; ``-joined."""
    return "; ".join(i18n.t(f"quality.rule.{r}", lang) for r in str(rules or "").split(";") if r)


def _count_cell(value: Any, low: Any, high: Any, censored: bool) -> Any:
    """Return a count as :func:`corett_lib.publishing.disclosure.parse_count` reads it: exact, bounded or missing.

    A censored count with unknown bounds is missing (shown "–"), never guessed.
    """
    if censored:
        if _isnan(low) or _isnan(high):
            return None
        return disclosure.Cell.bounded(float(low), float(high))
    return None if _isnan(value) else float(value)


def indicator_rows(data: ExplorerData, state: ExplorerState) -> pd.DataFrame:
    """Return the indicator engine's rows for ``state`` (``total`` rows always included).

    The engine's columns plus the bounds of the numerator and denominator (``num_low``,
    ``num_high``, ``num_cens``, ``den_low``, ``den_high``, ``den_cens``).

    Raises
    ------
    ValueError
        When :func:`check_state` finds a problem (the message lists them).
    """
    problems = check_state(data, state)
    if problems:
        raise ValueError("; ".join(problems))

    dis = ["total"] if state.disaggregation == "total" else ["total", state.disaggregation]
    ev = data.evaluation(state.source)
    rows = indicator_table(
        data.facts(state.source),
        countries=list(state.countries),
        years=state.year_list(),
        indicators=[state.indicator],
        disaggregations=dis,
        lang=state.lang,
        country_names=data.ds.countries if len(data.ds.countries) else None,
    )
    # The bounds of a ratio's numerator and denominator (a regional sum with a "<5" is a range).
    bounds = ev.resolved.loc[
        ev.resolved["ind"].eq(state.indicator),
        ["ind", "iso3", "year", "disagg", "category", *_BOUNDS],
    ].rename(columns={"ind": "indicator_id", "disagg": "disaggregation"})
    bounds["year"] = bounds["year"].astype("int64")
    bounds["category"] = bounds["category"].astype(str)
    out = rows.merge(bounds, how="left", on=KEY, validate="one_to_one")
    for c in ("num_cens", "den_cens"):
        out[c] = out[c].astype("boolean").fillna(False).astype(bool)
    # The data-quality review's rules behind each figure (a rate's: its numerator's and denominator's).
    flags = data.quality_flags()[[*KEY, "source", "quality_rules"]].astype({"year": "int64"})
    out = out.merge(flags, how="left", on=[*KEY, "source"], validate="many_to_one")
    out["quality_rules"] = out["quality_rules"].fillna("").astype(str)
    return out


#: Bounds of numerators and denominators, taken from the engine's resolved figures.
_BOUNDS: list[str] = ["num_low", "num_high", "num_cens", "den_low", "den_high", "den_cens"]


def publish_rows(
    rows: pd.DataFrame, data: ExplorerData, state: ExplorerState, *, title: str = ""
) -> PublishedTable:
    """Return the engine's rows as the table to show, after disclosure control at ``state.k``.

    Counts (the value of a count indicator; the numerator and the denominator of a ratio or change)
    are count columns; the value of a ratio or change is derived from them and is suppressed with
    them. With a breakdown, every country-year is a group whose parts add up to its ``Total`` row,
    so a small part cannot be worked out from the total (complementary suppression).

    Parameters
    ----------
    rows
        From :func:`indicator_rows`.
    data, state
        The explorer's data and the state the rows were computed for.
    title
        The table's caption.
    """
    import pandas as pd

    lang = state.lang
    ind = data.indicator(state.indicator)
    is_count = ind.kind == "count"
    population_den = ind.denominator is not None and ind.denominator.is_population
    c_country, c_year = _col("country", lang), _col("year", lang)
    c_cat = _col("category", lang)
    unit = ind.unit(lang)
    c_value = _col("value", lang) + f" ({unit})"
    c_num, c_den = _col("numerator", lang), _col("denominator", lang)
    c_src, c_cov, c_notes = _col("source", lang), _col("coverage", lang), _col("notes", lang)
    disaggregated = state.disaggregation != "total"
    # Regional sums show the member sources they add up; the words are the engine's.
    frame: dict[str, list[Any]] = {c_country: [], c_year: []}
    if disaggregated:
        frame[c_cat] = []
    frame[c_value] = []
    if not is_count:
        frame[c_num] = []
        frame[c_den] = []
    c_quality = i18n.t("facts.quality.column", lang)
    frame[c_src], frame[c_cov], frame[c_notes], frame[c_quality] = [], [], [], []
    flags = rows["flags"].fillna("").astype(str)
    rules = (
        rows["quality_rules"].fillna("").astype(str)
        if "quality_rules" in rows
        else pd.Series("", index=rows.index)
    )
    for i, r in enumerate(rows.itertuples(index=False)):
        frame[c_country].append(r.country_label)
        frame[c_year].append(int(r.year))
        if disaggregated:
            frame[c_cat].append(r.category_label)
        if is_count:
            frame[c_value].append(_count_cell(r.value, r.value_low, r.value_high, bool(r.censored)))
        else:
            frame[c_value].append(r.value)
            if ind.kind == "ratio":
                num = _count_cell(r.num_low, r.num_low, r.num_high, bool(r.num_cens))
            else:  # change, growth: the two compared figures (a censored one has no value)
                num = _count_cell(r.numerator, r.numerator, r.numerator, False)
            frame[c_num].append(num)
            if population_den:
                frame[c_den].append(
                    "" if _isnan(r.denominator) else i18n.number(r.denominator, lang)
                )
            elif ind.kind == "ratio":
                frame[c_den].append(_count_cell(r.den_low, r.den_low, r.den_high, bool(r.den_cens)))
            else:
                frame[c_den].append(_count_cell(r.denominator, r.denominator, r.denominator, False))
        frame[c_src].append(r.source)
        frame[c_cov].append(r.coverage)
        frame[c_notes].append(_flag_text(flags.iat[i], lang))
        frame[c_quality].append(_quality_text(rules.iat[i], lang))
    df = pd.DataFrame(frame)
    # The facts the counts show (a ratio's or change's: its numerator's), so that the view hides
    # what the pages hide: one decision per fact, the pages' (fact_disclosure.decision_for), with
    # the sex-by-age facts decided on top of it (VIEW_BREAKDOWNS: sex = sum of its sex-by-age
    # parts, age likewise), the same in every view.
    fact_col = c_value if is_count else c_num
    facts: dict[tuple[int, str], str] = {}
    for i, (iso3, year, d, cat) in enumerate(
        zip(rows["iso3"], rows["year"], rows["disaggregation"], rows["category"], strict=True)
    ):
        where = (data.registry, state.indicator, str(iso3), int(year), str(d), str(cat))
        key = fact_disclosure.indicator_fact(*where)
        if key is not None:
            facts[(i, fact_col)] = key
        base = None if is_count or population_den else fact_disclosure.denominator_fact(*where)
        if base is not None:
            facts[(i, c_den)] = base
    counts = [c_value] if is_count else ([c_num] if population_den else [c_num, c_den])
    derived = None if is_count else {c_value: counts}
    formats = None if is_count else {c_value: f"number:{int(ind.decimals)}"}
    options: dict[str, Any] = {}
    if disaggregated:
        total_label = i18n.t("label.total", lang)
        cats = set(rows.loc[rows["disaggregation"].eq("total"), "category_label"])
        total_label = next(iter(cats)) if len(cats) == 1 else total_label
        options = {"group_by": [c_country, c_year], "group_total": {c_cat: total_label}}
    return publish_table(
        df,
        table_id=f"explorer_{state.indicator}_{state.disaggregation}",
        title=title,
        count_columns=counts,
        derived=derived,
        formats=formats,
        k=int(state.k),
        lang=lang,
        facts=facts,
        linked=fact_disclosure.decision_for(
            data.facts(BEST_SOURCE), int(state.k), fact_disclosure.VIEW_BREAKDOWNS
        ),
        **options,
    )


def _isnan(x: Any) -> bool:
    try:
        return x is None or x != x
    except TypeError:
        return False


def chart_frame(rows: pd.DataFrame, table: PublishedTable, state: ExplorerState) -> pd.DataFrame:
    """Return the chart's data from the published table: the numbers the table shows.

    Breakdowns chart their parts (the ``Total`` row stays in the table). A cell the table does not
    show has no value. Only a small count shown as ``<k`` is ``suppressed`` (drawn as the range 0 to
    k); every other cell the table hides (complementary or withheld suppression, a ratio or change of
    a suppressed count, a censored sum shown as ``<N`` with N other than k) is ``hidden``: not drawn,
    and named in the text alternative, since drawing it below k would be false.
    """
    import pandas as pd

    lang = state.lang
    c_value = next(c for c in table.display.columns if c.startswith(_col("value", lang)))
    disaggregated = state.disaggregation != "total"
    several = len(state.countries) > 1
    series = []
    for r in rows.itertuples(index=False):
        if disaggregated and several:
            series.append(f"{r.country_label}: {r.category_label}")
        elif disaggregated:
            series.append(r.category_label)
        else:
            series.append(r.country_label)
    status = table.status[c_value].astype(str)
    text = table.display[c_value].astype(str)
    small = status.eq("primary") & text.eq(f"<{int(state.k)}") & (table.roles[c_value] == "count")
    out = pd.DataFrame(
        {
            "series": series,
            "iso3": rows["iso3"].to_numpy(object),
            "category": rows["category"].to_numpy(object),
            "disaggregation": rows["disaggregation"].to_numpy(object),
            "year": rows["year"].astype(int).to_numpy(),
            "value": table.values[c_value].astype(float).to_numpy(),
            "suppressed": small.to_numpy(bool),
            "hidden": (status.ne("") & ~small).to_numpy(bool),
            "text": text.to_numpy(object),
        }
    )
    if disaggregated:
        out = out.loc[out["disaggregation"].ne("total")].reset_index(drop=True)
    return out


def _not_drawn(frame: pd.DataFrame, lang: str) -> str:
    """Return the sentence that names the cells the chart does not draw (empty when there are none)."""
    hidden = frame.loc[frame["hidden"]]
    if hidden.empty:
        return ""
    items = "; ".join(f"{r.series} {r.year} ({r.text})" for r in hidden.itertuples(index=False))
    return i18n.t("explorer.not_drawn", lang, items=items)


def view_title(data: ExplorerData, state: ExplorerState, rows: pd.DataFrame) -> str:
    """Return the title of the chart and table.

    For example "Detected victims of trafficking, by form of exploitation: Honduras, 2016–2022".
    """
    lang = state.lang
    ind = data.indicator(state.indicator)
    spec = data.registry.disaggregations[state.disaggregation]
    dis = spec.label_es if lang == "es" else spec.label_en
    names = dict(zip(rows["iso3"], rows["country_label"], strict=True))
    countries = ", ".join(names.get(c) or i18n.country_name(c, lang) for c in state.countries)
    y0, y1 = int(state.years[0]), int(state.years[1])
    years = str(y0) if y0 == y1 else i18n.t("format.year_range", lang, start=y0, end=y1)
    key = "explorer.title_total" if state.disaggregation == "total" else "explorer.title"
    return i18n.t(
        key,
        lang,
        indicator=ind.name(lang),
        disaggregation=dis.lower() if lang == "es" else dis[:1].lower() + dis[1:],
        countries=countries,
        years=years,
    )


class _ChartArgs(TypedDict):
    """Keyword arguments :func:`make_chart` passes to every chart function of ``charts``."""

    lang: str
    title: str
    threshold: float
    decimals: int


def make_chart(
    frame: pd.DataFrame, data: ExplorerData, state: ExplorerState, title: str
) -> tuple[alt.TopLevelMixin, str, str]:
    """Return ``(chart, alt_text, kind)`` for the chart data of :func:`chart_frame`.

    Several years: a trend (one line per country, category, or country and category). One year: bars
    of the categories, or the members compared when there is no breakdown.
    """
    lang = state.lang
    ind = data.indicator(state.indicator)
    unit = ind.unit(lang)
    y_title = unit[:1].upper() + unit[1:]
    decimals = int(ind.decimals)
    common: _ChartArgs = {
        "lang": lang,
        "title": title,
        "threshold": int(state.k),
        "decimals": decimals,
    }
    if frame.empty or frame["hidden"].all():
        alt = charts._alt()
        message = i18n.t("explorer.no_figures", lang)
        chart = (
            alt.Chart(alt.Data(values=[{"text": message}]))
            .mark_text(size=14)
            .encode(text="text:N")
            .properties(title=title, width=480, height=60)
        )
        return chart, f"{title}. {message} {_not_drawn(frame, lang)}".strip(), "empty"
    extra = _not_drawn(frame, lang)
    if len(state.year_list()) > 1:
        # A hidden year breaks the line (its value is null), as a year with no figure does.
        chart, text = charts.trend_chart(frame, y_title=y_title, series="series", **common)
        kind = "trend"
    else:
        shown = frame.loc[~frame["hidden"]]  # a bar would label a hidden cell "no data"
        if state.disaggregation == "total":
            chart, text = charts.comparison_chart(shown, x_title=y_title, country="iso3", **common)
            kind = "comparison"
        else:
            chart, text = charts.bar_chart(
                shown, x_title=y_title, category="series", label_kind=None, **common
            )
            kind = "bar"
    return chart, f"{text} {extra}".strip(), kind


def view_notes(data: ExplorerData, rows: pd.DataFrame, state: ExplorerState) -> list[str]:
    """Return the notes under the table: sources, the threshold, validation errors if any."""
    lang = state.lang
    notes = [i18n.t("note.suppressed", lang, threshold=int(state.k))]
    if rows["censored"].any():
        notes.append(i18n.t("note.censored", lang))
    used = sorted({s for s in rows["source"].astype(str) if s})
    if used:
        notes.append(i18n.t("explorer.note.sources", lang, sources="; ".join(used)))
    if any("UNODC" in s for s in used):
        notes.append(i18n.t("source.unodc", lang))
    if any("CORETT" in s for s in used):
        notes.append(i18n.t("source.line", lang, source=i18n.t("source.corett", lang)))
    n_err = len(data.ds.errors)
    if n_err:
        notes.append(i18n.t("explorer.note.validation_errors", lang, n=i18n.number(n_err, lang)))
    return notes


def explore(data: ExplorerData, state: ExplorerState) -> ExplorerView:
    """Return what the explorer shows for ``state``.

    Raises
    ------
    ValueError
        When :func:`check_state` finds a problem.

    Notes
    -----
    ``explore(data, ExplorerState(countries=("HND",), years=(2016, 2022), disaggregation="form",
    lang="es"))`` gives the Spanish trend of forms of exploitation in Honduras: 2016's and 2022's
    "Otras formas de explotación" are UNODC ``<5`` (drawn as below 5), 2021's is suppressed so that it
    cannot be worked out from the total (not drawn, named in the text alternative).
    """
    rows = indicator_rows(data, state)
    title = view_title(data, state, rows)
    table = publish_rows(rows, data, state, title=title)
    frame = chart_frame(rows, table, state)
    chart, alt_text, kind = make_chart(frame, data, state, title)
    return ExplorerView(
        state=state,
        rows=rows,
        table=table,
        chart_data=frame,
        chart=chart,
        chart_kind=kind,
        title=title,
        alt_text=alt_text,
        notes=view_notes(data, rows, state),
    )


# --------------------------------------------------------------------------------------------------
# Downloads


def download_name(state: ExplorerState, fmt: Format) -> str:
    """Return the file name of a download, e.g. ``corett_victims_form_HND_2016-2022.es.csv``.

    Examples
    --------
    >>> download_name(ExplorerState(countries=("HND", "GTM")), "xlsx")
    'corett_victims_total_HND-GTM_2016-2022.en.xlsx'
    """
    countries = "-".join(state.countries) or "none"
    y0, y1 = int(state.years[0]), int(state.years[1])
    stem = f"corett_{state.indicator}_{state.disaggregation}_{countries}_{y0}-{y1}.{state.lang}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem) + f".{fmt}"


def download_bytes(view: ExplorerView, fmt: Format) -> bytes:
    """Return the current table as a file: ``"csv"`` (UTF-8 with BOM) or ``"xlsx"``.

    Both go through :func:`corett_lib.publishing.publish.export_csv` / :func:`~corett_lib.publishing.publish.export_excel`:
    what the table shows, suppressed cells as their display text, formula-like text made inert.
    """
    if fmt == "csv":
        return publish.export_csv(view.table).encode("utf-8-sig")
    if fmt == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "table.xlsx"
            publish.export_excel(view.table, path)
            return path.read_bytes()
    raise ValueError(f"unknown download format {fmt!r}; use csv or xlsx")


def export_view(view: ExplorerView, path: str | os.PathLike[str]) -> Path:
    """Write the current table to ``path`` (``.csv`` or ``.xlsx``, by its suffix) and return it."""
    p = Path(path)
    fmt = p.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"{p}: the file name must end in .csv or .xlsx")
    p.write_bytes(download_bytes(view, fmt))  # type: ignore[arg-type]
    return p


_MIME: dict[str, str] = {
    "csv": "text/csv;charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download_links_html(view: ExplorerView) -> str:
    """Return two links that download the current table (CSV, Excel) from the page itself.

    The files are embedded as ``data:`` URLs, so the download works offline and needs no server
    route; they are the bytes of :func:`download_bytes`.
    """
    import html

    lang = view.state.lang
    links = []
    for fmt in ("csv", "xlsx"):
        payload = base64.b64encode(download_bytes(view, fmt)).decode("ascii")
        name = html.escape(download_name(view.state, fmt), quote=True)
        label = html.escape(i18n.t(f"explorer.download.{fmt}", lang))
        links.append(
            f'<a class="corett-download" data-format="{fmt}" download="{name}" '
            f'href="data:{_MIME[fmt]};base64,{payload}">{label}</a>'
        )
    return '<div class="corett-downloads">' + " · ".join(links) + "</div>"


def notes_html(view: ExplorerView) -> str:
    """Return the text alternative and the notes as HTML (shown under the chart and table)."""
    import html

    items = "".join(f"<li>{html.escape(n)}</li>" for n in view.notes)
    return (
        f'<p class="corett-alt" role="note">{html.escape(view.alt_text)}</p>'
        f'<ul class="corett-notes">{items}</ul>'
    )


# --------------------------------------------------------------------------------------------------
# Widgets


class Explorer:
    """The explorer's widgets and its current view; displays as the widget in JupyterLab.

    Build it with :func:`build_explorer`. :meth:`set_state` is what every control calls.
    """

    def __init__(self, data: ExplorerData, state: ExplorerState) -> None:
        import altair as alt
        import ipywidgets as w

        charts._alt()  # register and enable the workbench theme before any chart is compiled
        alt.JupyterChart.enable_offline()  # vega JavaScript from vl-convert: nothing from a CDN
        self.data = data
        self.state = state
        self.view: ExplorerView | None = None
        self.problems: list[str] = []
        self._updating = False
        opts = control_options(data, state.lang)
        layout = w.Layout(width="auto")
        style = {"description_width": "initial"}
        self.controls: dict[str, w.Widget] = {
            "countries": w.SelectMultiple(
                options=opts.countries, value=state.countries, rows=6, style=style
            ),
            "years": w.IntRangeSlider(
                value=tuple(state.years),
                min=min(opts.years[0], state.years[0]),
                max=max(opts.years[1], state.years[1]),
                step=1,
                continuous_update=False,
                style=style,
                layout=w.Layout(width="420px"),
            ),
            "indicator": w.Dropdown(
                options=opts.indicators, value=state.indicator, style=style, layout=layout
            ),
            "disaggregation": w.Dropdown(
                options=opts.disaggregations[state.indicator],
                value=state.disaggregation,
                style=style,
            ),
            "source": w.Dropdown(options=opts.sources, value=state.source, style=style),
            "lang": w.ToggleButtons(options=opts.languages, value=state.lang, style=style),
            "k": w.IntSlider(
                value=int(state.k),
                min=K_RANGE[0],
                max=max(K_RANGE[1], int(state.k)),
                step=1,
                continuous_update=False,
                style=style,
            ),
        }
        for name, control in self.controls.items():
            control.add_class(f"corett-control-{name}")
            control.observe(self._on_change, names="value")
        # altair annotates ``chart`` as TopLevelSpec but its trait allows None (no chart yet)
        self.chart = alt.JupyterChart(
            None,  # type: ignore[arg-type]
            embed_options={"renderer": "svg", "actions": False},
        )
        self.chart.add_class("corett-chart")
        self.message = w.HTML()
        self.message.add_class("corett-message")
        self.table_html = w.HTML()
        self.table_html.add_class("corett-table-view")
        self.downloads = w.HTML()
        self.downloads.add_class("corett-downloads-view")
        self.notes = w.HTML()
        self.notes.add_class("corett-notes-view")
        left = w.VBox(
            [self.controls[k] for k in ("countries", "years", "indicator", "disaggregation")]
        )
        right = w.VBox([self.controls[k] for k in ("source", "lang", "k")])
        self.widget = w.VBox(
            [
                w.HBox([left, right]),
                self.message,
                self.chart,
                self.notes,
                self.downloads,
                self.table_html,
            ]
        )
        self.widget.add_class("corett-explorer")
        self._relabel(opts)
        self.set_state(state)

    def _relabel(self, opts: ControlOptions) -> None:
        for key, control in self.controls.items():
            control.description = opts.descriptions[key]

    def state_from_controls(self) -> ExplorerState:
        """Return the state the controls show."""
        c = self.controls
        return ExplorerState(
            countries=tuple(c["countries"].value),
            years=(int(c["years"].value[0]), int(c["years"].value[1])),
            indicator=str(c["indicator"].value),
            disaggregation=str(c["disaggregation"].value),
            source=str(c["source"].value),
            lang=str(c["lang"].value),
            k=int(c["k"].value),
        )

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._updating:
            return
        state = self.state_from_controls()
        if state.lang != self.state.lang or state.indicator != self.state.indicator:
            state = self._sync_options(state)
        self.set_state(state)

    def _sync_options(self, state: ExplorerState) -> ExplorerState:
        """Relabel the controls for the language; offer the indicator's disaggregations."""
        opts = control_options(self.data, state.lang)
        allowed = [d for _, d in opts.disaggregations[state.indicator]]
        dis = state.disaggregation if state.disaggregation in allowed else "total"
        self._updating = True
        try:
            c = self.controls
            c["countries"].options = opts.countries
            c["countries"].value = state.countries
            c["indicator"].options = opts.indicators
            c["indicator"].value = state.indicator
            c["disaggregation"].options = opts.disaggregations[state.indicator]
            c["disaggregation"].value = dis
            c["source"].options = opts.sources
            c["source"].value = state.source
            self._relabel(opts)
        finally:
            self._updating = False
        return replace(state, disaggregation=dis)

    def set_state(self, state: ExplorerState) -> None:
        """Show ``state``: compute the view and update the chart, table, notes and downloads.

        A state that cannot be shown (no member selected, ...) leaves the last view in place and
        says why above the chart.
        """
        import html

        self.state = state
        self.problems = check_state(self.data, state)
        if self.problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
            self.message.value = f'<ul class="corett-problems">{items}</ul>'
            return
        self.message.value = ""
        view = explore(self.data, state)
        self.view = view
        # Every altair top-level chart (Chart, LayerChart, ...) is also a TopLevelSpec.
        self.chart.chart = cast("alt.TopLevelSpec", view.chart)
        self.table_html.value = view.table.to_html()
        self.notes.value = notes_html(view)
        self.downloads.value = download_links_html(view)

    def describe(self) -> str:
        """Return the current view's title and text alternative (or why nothing is shown)."""
        if self.problems or self.view is None:
            return "\n".join(self.problems)
        return self.view.describe()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def build_explorer(
    dataset: Dataset,
    *,
    lang: str = "en",
    countries: str | Sequence[str] = ("HND",),
    years: tuple[int, int] = (2016, 2022),
    indicator: str = "victims",
    disaggregation: str = "total",
    source: str = BEST_SOURCE,
    k: int = 0,
) -> Explorer:
    """Return the explorer for ``dataset``, showing the given first view.

    Parameters
    ----------
    dataset
        From :func:`open_dataset` (or :func:`corett_lib.validation.load.load`).
    lang
        ``"en"`` or ``"es"``.
    countries
        ISO3 codes of members and/or ``CORETT``, as a list or ``"HND, GTM"``.
    years
        First and last year.
    indicator, disaggregation, source
        See :class:`ExplorerState`.
    k
        Suppression threshold; 0 takes the build's (``parameters/build.yaml``).

    Returns
    -------
    Explorer
        Displays as the widget; its callbacks only call this module's functions.

    Raises
    ------
    ValueError
        When the first view cannot be shown (the message says why).
    """
    state = ExplorerState(
        countries=parse_countries(countries),
        years=(int(years[0]), int(years[1])),
        indicator=indicator,
        disaggregation=disaggregation,
        source=source or BEST_SOURCE,
        lang=lang,
        k=int(k) if k else default_k(),
    )
    data = ExplorerData(dataset)
    problems = check_state(data, state)
    if problems:
        raise ValueError("; ".join(problems))
    return Explorer(data, state)
