"""Views of the published facts: the labelled indicator table pages, the CLI and the explorer show.

:func:`indicator_table` selects facts (countries, years, indicators, breakdowns) and applies the labels
of one language; it computes nothing. Every requested indicator, country and year has a ``total`` row:
a missing figure is shown as such (flag ``no_data``), never as a zero.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from corett_lib.core.schema import REGION_CODE
from corett_lib.core.tables import finish
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.registry import Registry
from corett_lib.facts.engine import Evaluation, evaluate
from corett_lib.facts.table import (
    FACT_FLAGS,
    RATE_BREAKDOWNS,
    RATE_ID,
    Facts,
    build_facts,
    facts_from_dataset,
)
from corett_lib.raw.reference import country_table, iso3_codes
from corett_lib.validation.load import load

#: Key of the indicator table.
KEY: list[str] = ["indicator_id", "iso3", "year", "disaggregation", "category"]

#: Columns of the indicator table, in order.
COLUMNS: list[str] = [
    *KEY,
    "label",
    "country_label",
    "disaggregation_label",
    "category_label",
    "value",
    "value_low",
    "value_high",
    "censored",
    "numerator",
    "denominator",
    "unit",
    "decimals",
    "direction",
    "source",
    "coverage_n",
    "coverage_of",
    "coverage",
    "flags",
    "coverage_members",
    "other_sources",
    "notes",
    "inconsistent",
]

#: Breakdowns that exist as facts beyond those the registry declares for an indicator.
EXTRA_DISAGGREGATIONS: dict[str, tuple[str, ...]] = {RATE_ID: RATE_BREAKDOWNS}


def _country_names(countries: pd.DataFrame | None, lang: str) -> dict[str, str]:
    if countries is None:  # every ISO 3166-1 country, names from pycountry
        countries = country_table(iso3_codes())
    col = "name_es" if lang == "es" else "name_en"
    names = dict(zip(countries.get("iso3", []), countries.get(col, []), strict=True))
    names[REGION_CODE] = "CORETT (región)" if lang == "es" else "CORETT (region)"
    return names


def _flag_text(df: pd.DataFrame) -> pd.Series:
    text = pd.Series("", index=df.index, dtype=object)
    for f in FACT_FLAGS:
        text = text + np.where(df[f"f_{f}"].to_numpy(bool), f + ";", "")
    return text.str.rstrip(";")


def indicator_table(
    observations: pd.DataFrame | Evaluation | Facts,
    population: pd.DataFrame | None = None,
    *,
    countries: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    indicators: Iterable[str] | None = None,
    disaggregations: Iterable[str] | None = ("total",),
    lang: str = "en",
    registry: Registry | None = None,
    members: Sequence[str] | None = None,
    trend_window: int | None = None,
    country_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the tidy, sorted indicator table for countries, years, indicators and breakdowns.

    Parameters
    ----------
    observations
        The published :class:`~corett_lib.facts.table.Facts` of a build (what pages read), an
        :class:`~corett_lib.facts.engine.Evaluation` or the tidy observations (both turned into
        facts first, so every caller reads the same flags; then ``population``, ``registry``,
        ``members`` and ``trend_window`` are used or taken from the evaluation).
    population
        ``iso3, year, population`` (needed with observations).
    countries
        ISO3 codes of members and/or ``CORETT`` (default: every member and ``CORETT``).
    years
        Years (default: every year with a figure).
    indicators
        Indicator ids (default: all, in registry order).
    disaggregations
        Disaggregation ids (default ``("total",)``; ``None`` for every allowed one). An indicator
        shows only the disaggregations the registry allows for it.
    lang
        ``"en"`` or ``"es"``: labels of indicators, countries, disaggregations and categories.
    registry, members, trend_window
        See :func:`evaluate`.
    country_names
        ``iso3, name_en, name_es`` (default: every ISO 3166-1 country, names from pycountry).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, keyed by :data:`KEY` and sorted (registry order of indicators, then country,
        year, disaggregation, category). Every requested indicator, country and year has a
        ``total`` row; when no source has it, ``value`` is empty and ``flags`` says ``no_data``.

    Raises
    ------
    KeyError
        An unknown indicator id or disaggregation.
    ValueError
        An unknown language.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"source": ["UNODC"], "iso3": ["GTM"], "year": [2019],
    ...     "indicator": ["Detected trafficking victims"], "dimension": ["Total"],
    ...     "category": ["Total"], "sex": ["Total"], "age": ["Total"], "unit": ["Counts"],
    ...     "value": [434.0], "censored": [False], "value_low": [434.0], "value_high": [434.0]})
    >>> pop = pd.DataFrame({"iso3": ["GTM"], "year": [2019], "population": [17103803]})
    >>> t = indicator_table(obs, pop, countries=["GTM"], indicators=["victims_rate"],
    ...                     members=["GTM"])
    >>> round(float(t["value"].iloc[0]), 2)
    2.54
    """
    if lang not in ("en", "es"):
        raise ValueError(f"unknown language {lang!r}; use en or es")
    if isinstance(observations, Facts):
        facts = observations
    elif isinstance(observations, Evaluation):
        facts = build_facts(observations)
    else:
        if population is None:
            raise ValueError("population is needed to compute indicators from observations")
        facts = build_facts(
            evaluate(
                observations,
                population,
                registry=registry,
                members=members,
                trend_window=trend_window,
            )
        )
    reg = facts.registry
    ind_ids = list(indicators) if indicators else reg.ids()
    inds = [reg.get(i) for i in ind_ids]
    if disaggregations is not None:
        dis = list(disaggregations)
        unknown = [d for d in dis if d not in reg.disaggregations]
        if unknown:
            raise KeyError(
                f"unknown disaggregation(s) {unknown}; known: {', '.join(reg.disaggregations)}"
            )
    cs = list(countries) if countries else [*facts.members, REGION_CODE]
    ys_asked = None if years is None else tuple(sorted({int(y) for y in years}))
    request = (
        tuple(ind_ids),
        None if disaggregations is None else tuple(dis),
        tuple(cs),
        ys_asked,
    )
    labelled = _labelled_facts(facts, lang, country_names)
    results = facts.views.setdefault("tables", {})
    key = (request, lang, id(country_names))
    hit = results.get(key)
    if hit is not None and hit[0] is country_names and hit[1] is labelled:
        return hit[2].copy()
    selections = facts.views.setdefault("selections", {})
    selection = selections.get(request)
    if selection is None:
        selection = _select(facts, request, [i.id for i in inds], [i.disaggregations for i in inds])
        _remember(selections, request, selection)
    pos, missing, order = selection
    table = labelled.iloc[pos]
    if missing:
        table = pd.concat(
            [table, _missing_rows(facts, lang, country_names, missing)], ignore_index=True
        )
    table = table.iloc[order].reset_index(drop=True)[COLUMNS]
    _remember(results, key, (country_names, labelled, table))
    return table.copy()


#: Most selections and tables :func:`indicator_table` keeps per facts (the oldest are dropped).
CACHED_TABLES = 64


def _remember(cache: dict, key: object, value: object) -> None:
    """Store ``value`` under ``key``, dropping the oldest entry when ``cache`` is full."""
    if len(cache) >= CACHED_TABLES:
        del cache[next(iter(cache))]
    cache[key] = value


def _select(
    facts: Facts,
    request: tuple[
        tuple[str, ...], tuple[str, ...] | None, tuple[str, ...], tuple[int, ...] | None
    ],
    ids: list[str],
    declared_dis: list[tuple[str, ...]],
) -> tuple[np.ndarray, list[tuple[str, str, int]], np.ndarray]:
    """Return which facts an indicator table shows, its missing totals and its row order.

    Language-independent, so computed once per request and facts: the positions of the selected
    rows in the fact table, the ``(indicator, country, year)`` totals no source has (shown as no
    figure) and the order of the selected rows followed by the missing ones (:func:`finish`'s).
    """
    ind_ids, dis, cs_t, ys_asked = request
    cs = list(cs_t)
    reg = facts.registry
    declared = {
        i: (*d, *EXTRA_DISAGGREGATIONS.get(i, ())) for i, d in zip(ids, declared_dis, strict=True)
    }
    allowed = {(i, d) for i, ds in declared.items() for d in ds if dis is None or d in dis}
    ind_a, iso_a, year_a, dis_a = _key_arrays(facts)
    keep = pd.Index(ind_a).isin(list(ind_ids)) & pd.Index(iso_a).isin(cs)
    if ys_asked is not None:
        keep &= np.isin(year_a, list(ys_asked))
    pos = np.flatnonzero(keep)
    pairs = zip(ind_a[pos], dis_a[pos], strict=True)
    pos = pos[np.fromiter((p in allowed for p in pairs), bool, count=len(pos))]
    ys = sorted(set(year_a[pos].tolist())) if ys_asked is None else list(ys_asked)

    # Every requested indicator, country and year has a total row: no figure is never a zero.
    totals = dis_a[pos] == "total"
    have = set(
        zip(ind_a[pos][totals], iso_a[pos][totals], year_a[pos][totals].tolist(), strict=True)
    )
    missing = [(i, c, y) for i in ind_ids for c in cs for y in ys if (i, c, y) not in have]
    columns = {
        "indicator_id": [*ind_a[pos], *(m[0] for m in missing)],
        "iso3": [*iso_a[pos], *(m[1] for m in missing)],
        "year": [*year_a[pos].tolist(), *(m[2] for m in missing)],
        "disaggregation": [*dis_a[pos], *("total" for _ in missing)],
        "category": [*_category_array(facts)[pos], *("Total" for _ in missing)],
    }
    # Registry order of indicators, the requested order of countries, then year, breakdown, category.
    rank = {
        "indicator_id": {v: k for k, v in enumerate(dict.fromkeys(ind_ids))},
        "iso3": {v: k for k, v in enumerate(dict.fromkeys(cs))},
        "disaggregation": {v: k for k, v in enumerate(reg.disaggregations)},
    }
    sort_keys = list(
        zip(
            *(
                [rank[c].get(v) for v in columns[c]] if c in rank else columns[c]
                for c in ("indicator_id", "iso3", "year", "disaggregation", "category")
            ),
            strict=True,
        )
    )
    plain = all(None not in k[:2] and k[3] is not None and isinstance(k[4], str) for k in sort_keys)
    if plain and len(set(sort_keys)) == len(sort_keys):  # what finish() would do, in Python
        return pos, missing, np.array(sorted(range(len(sort_keys)), key=sort_keys.__getitem__))
    keys = pd.DataFrame({**columns, "year": np.array(columns["year"], dtype="int64")})
    keys = keys.assign(**{f"_{c}": keys[c].map(m) for c, m in rank.items()}, _row=range(len(keys)))
    order = ["_indicator_id", "_iso3", "year", "_disaggregation", "category"]
    return pos, missing, finish(keys, order, name="indicators")["_row"].to_numpy()


def _category_array(facts: Facts) -> np.ndarray:
    """Return the fact table's categories as text (the labelled table's ``category``), cached."""
    if "categories" not in facts.views:
        facts.views["categories"] = facts.table["category"].astype(str).to_numpy(object)
    return facts.views["categories"]


def _key_arrays(facts: Facts) -> tuple[np.ndarray, ...]:
    """Return the fact table's key columns as NumPy arrays (indicator, country, year, breakdown), cached."""
    if "keys" not in facts.views:
        t = facts.table
        facts.views["keys"] = (
            t["indicator_id"].to_numpy(object),
            t["iso3"].to_numpy(object),
            t["year"].to_numpy("int64"),
            t["disaggregation"].to_numpy(object),
        )
    return facts.views["keys"]


def _no_data_facts(facts: Facts, missing: Sequence[tuple[str, str, int]]) -> pd.DataFrame:
    """Return fact rows saying "no figure" for ``(indicator, country, year)`` totals no source has."""
    miss = pd.DataFrame(list(missing), columns=["indicator_id", "iso3", "year"])
    miss = miss.assign(disaggregation="total", category="Total", censored=False, f_no_data=True)
    miss["coverage_n"] = 0
    miss["coverage_of"] = np.where(miss["iso3"].eq(REGION_CODE), len(facts.members), 1)
    for c in ("source", "coverage_members", "other_sources", "notes"):
        miss[c] = ""
    for c in ("value", "lower", "upper", "numerator", "denominator"):
        miss[c] = np.nan
    return miss


def _missing_rows(
    facts: Facts,
    lang: str,
    country_names: pd.DataFrame | None,
    missing: Sequence[tuple[str, str, int]],
) -> pd.DataFrame:
    """Return the labelled no-figure total rows of ``missing`` (:func:`_no_data_facts`).

    A no-figure row depends only on its indicator, country and year, so they are labelled once per
    facts, language and country-name table (like :func:`_labelled_facts`) and then only selected
    from: when a country is first asked for, the rows of every registry indicator and every year
    from the first of the facts to the last (and any other year asked for) at once.
    """
    key = ("missing", lang, id(country_names))
    cached = facts.views.get(key)
    if cached is None or cached[0] is not country_names:
        cached = (country_names, None, {})
    frame: pd.DataFrame | None = cached[1]
    index: dict[tuple[str, str, int], int] = cached[2]
    keys = [(i, c, int(y)) for i, c, y in missing]
    absent = [k for k in keys if k not in index]
    if absent:
        known = _key_arrays(facts)[2]
        years = set(range(int(known.min()), int(known.max()) + 1)) if len(known) else set()
        years |= {y for _, _, y in absent}
        countries = dict.fromkeys(c for _, c, _ in absent)
        new = [
            (i, c, y)
            for i in dict.fromkeys([*facts.registry.ids(), *(i for i, _, _ in absent)])
            for c in countries
            for y in sorted(years)
            if (i, c, y) not in index
        ]
        names = _country_names(country_names, lang)
        more = _label(_no_data_facts(facts, new), facts.registry, lang, names)
        start = 0 if frame is None else len(frame)
        index.update({k: start + n for n, k in enumerate(new)})
        frame = more if frame is None else pd.concat([frame, more], ignore_index=True)
        facts.views[key] = (country_names, frame, index)
    assert frame is not None
    return frame.iloc[[index[k] for k in keys]]


def _labelled_facts(facts: Facts, lang: str, country_names: pd.DataFrame | None) -> pd.DataFrame:
    """Return the whole fact table with one language's labels (:data:`COLUMNS`).

    Built once per facts, language and country-name table, then only selected from.
    """
    key = ("labelled", lang, id(country_names))
    if key not in facts.views:
        facts.views[key] = _label(
            facts.table, facts.registry, lang, _country_names(country_names, lang)
        )
    return facts.views[key]


def _label(out: pd.DataFrame, reg: Registry, lang: str, names: dict[str, str]) -> pd.DataFrame:
    """Return fact rows (:data:`~corett_lib.facts.table.FACT_COLUMNS`) as indicator-table rows."""
    out = out.reset_index(drop=True)
    for f in FACT_FLAGS:
        c = f"f_{f}"
        out[c] = out[c].astype("boolean").fillna(False).astype(bool) if c in out else False
    by_id = {i.id: i for i in reg.indicators}
    table = pd.DataFrame(
        {
            "indicator_id": out["indicator_id"].to_numpy(object),
            "iso3": out["iso3"].to_numpy(object),
            "year": out["year"].astype("int64").to_numpy(),
            "disaggregation": out["disaggregation"].to_numpy(object),
            "category": out["category"].astype(str).to_numpy(object),
        }
    )
    table["label"] = table["indicator_id"].map({k: v.name(lang) for k, v in by_id.items()})
    table["country_label"] = table["iso3"].map(names).fillna(table["iso3"])
    table["disaggregation_label"] = table["disaggregation"].map(
        {k: (v.label_es if lang == "es" else v.label_en) for k, v in reg.disaggregations.items()}
    )
    cats = {c: reg.category_label(c, lang) for c in table["category"].unique()}
    table["category_label"] = table["category"].map(cats)
    for c, f in (("value", "value"), ("value_low", "lower"), ("value_high", "upper")):
        table[c] = out[f].astype(float).to_numpy()
    for c in ("numerator", "denominator"):
        table[c] = out[c].astype(float).to_numpy()
    table["censored"] = out["censored"].astype("boolean").fillna(False).astype(bool).to_numpy()
    table["unit"] = table["indicator_id"].map({k: v.unit(lang) for k, v in by_id.items()})
    table["decimals"] = table["indicator_id"].map({k: v.decimals for k, v in by_id.items()})
    table["direction"] = table["indicator_id"].map({k: v.direction for k, v in by_id.items()})
    table["source"] = out["source"].fillna("").astype(str).to_numpy(object)
    table["coverage_n"] = out["coverage_n"].astype("Float64").round().astype("Int64").array
    table["coverage_of"] = out["coverage_of"].astype("Float64").round().astype("Int64").array
    table["coverage"] = (
        table["coverage_n"].astype("string").fillna("?") + "/" + table["coverage_of"].astype(str)
    )
    table["flags"] = _flag_text(out).to_numpy(object)
    for c in ("coverage_members", "other_sources", "notes"):
        table[c] = out[c].fillna("").astype(str).to_numpy(object)
    table["inconsistent"] = out["f_inconsistent"].to_numpy(bool)
    return table[COLUMNS]


def from_dataset(ds: Dataset, **kwargs: object) -> pd.DataFrame:
    """Return :func:`indicator_table` for a loaded :class:`~corett_lib.dataset.model.Dataset`.

    Parameters
    ----------
    ds
        The loaded dataset (observations, population, country names).
    **kwargs
        Passed to :func:`indicator_table` (countries, years, indicators, disaggregations, lang, ...).
    """
    return indicator_table(
        facts_from_dataset(ds),
        country_names=ds.countries if len(ds.countries) else None,
        **kwargs,  # type: ignore[arg-type]
    )


def compute(
    data: str | os.PathLike[str] | None = None,
    **kwargs: object,
) -> pd.DataFrame:
    """Load the data folder (:func:`corett_lib.validation.load.load`) and return :func:`indicator_table`.

    Parameters
    ----------
    data
        The data folder (default: ``$CORETT_DATA`` or the shipped ``data/``).
    **kwargs
        Passed to :func:`indicator_table`.
    """
    return from_dataset(load(data), **kwargs)


#: Columns of :func:`sources_table`.
SOURCE_VIEW_COLUMNS: list[str] = [
    *KEY,
    "label",
    "country_label",
    "disaggregation_label",
    "category_label",
    "source",
    "chosen",
    "value",
    "value_low",
    "value_high",
    "decimals",
    "difference",
    "coverage_n",
    "coverage_members",
]


def sources_table(facts: Facts, view: pd.DataFrame) -> pd.DataFrame:
    """Return every source's figure for the rows of an indicator view, side by side.

    Parameters
    ----------
    facts
        The published facts.
    view
        Rows of :func:`indicator_table` (their labels are kept).

    Returns
    -------
    pandas.DataFrame
        :data:`SOURCE_VIEW_COLUMNS`: one row per key and source, the chosen source first
        (``chosen``), ``difference`` = that source's value minus the chosen one (empty when either
        is censored or a range). Keys no source has keep their row, with an empty source.

    Examples
    --------
    Mexico 2017: UNODC 970 (chosen by precedence), CORETT 1,080.

    >>> obs = pd.DataFrame([{"source": s, "iso3": "MEX", "year": 2017,
    ...     "indicator": "Detected trafficking victims", "dimension": "Total",
    ...     "category": "Total", "sex": "Total", "age": "Total", "unit": "Counts",
    ...     "value": v, "censored": False, "value_low": v, "value_high": v}
    ...     for s, v in (("UNODC", 970.0), ("CORETT", 1080.0))])
    >>> f = build_facts(evaluate(obs, pd.DataFrame(columns=["iso3", "year", "population"]),
    ...                          members=["MEX"]))
    >>> v = indicator_table(f, countries=["MEX"], indicators=["victims"])
    >>> sources_table(f, v)[["source", "chosen", "value", "difference"]].values.tolist()
    [['UNODC', True, 970.0, 0.0], ['CORETT', False, 1080.0, 110.0]]
    """
    labels = view[
        [*KEY, "label", "country_label", "disaggregation_label", "category_label", "decimals"]
    ]
    s = facts.sources.rename(columns={"lower": "value_low", "upper": "value_high"})
    m = labels.merge(s, on=KEY, how="left")
    m["source"] = m["source"].fillna("")
    m["chosen"] = m["chosen"].fillna(False).astype(bool)
    m["_order"] = (~m["chosen"]).astype(int)
    m = m.sort_values([*KEY, "_order", "source"], kind="mergesort").drop(columns="_order")
    return m[SOURCE_VIEW_COLUMNS].reset_index(drop=True)
