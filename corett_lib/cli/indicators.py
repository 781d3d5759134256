"""``corett indicators``: the indicator table for countries, years, indicators and breakdowns.

Every figure goes through the pages' disclosure decision
(:func:`corett_lib.publishing.fact_disclosure.row_statuses`): a small count reads ``<5``, a count
hidden so that a small one cannot be derived, and any rate, share or change computed from a hidden
count, read "suppressed", exactly as on every page and download; in CSV and JSON their numbers are
empty and the ``disclosure`` column says why. Another source's figure (``other_sources``,
``--source all``) below the threshold reads ``<5`` too, and none is shown for a hidden figure.

Exit status: 0 success, 1 the data could not be loaded (every problem is printed), 2 a usage error
(unknown country, indicator or breakdown).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from corett_lib.core.config import build_matrix, members
from corett_lib.core.i18n import number, t
from corett_lib.core.problems import DataError
from corett_lib.core.schema import REGION_CODE
from corett_lib.core.spreadsheet import neutralize_frame
from corett_lib.dataset.registry import load_registry
from corett_lib.facts.engine import SUM_SOURCE
from corett_lib.facts.table import FACT_FLAGS_ES as FLAGS_ES
from corett_lib.facts.table import facts_from_dataset
from corett_lib.facts.view import indicator_table, sources_table
from corett_lib.publishing import disclosure
from corett_lib.publishing.fact_disclosure import DERIVED, row_statuses
from corett_lib.validation.load import load

if TYPE_CHECKING:
    import pandas as pd

_HEADERS = {
    "en": {
        "country_label": "Country",
        "year": "Year",
        "label": "Indicator",
        "disaggregation_label": "Breakdown",
        "category_label": "Category",
        "shown": "Value",
        "unit": "Unit",
        "source": "Source",
        "coverage": "Coverage",
        "flags": "Flags",
    },
    "es": {
        "country_label": "País",
        "year": "Año",
        "label": "Indicador",
        "disaggregation_label": "Desagregación",
        "category_label": "Categoría",
        "shown": "Valor",
        "unit": "Unidad",
        "source": "Fuente",
        "coverage": "Cobertura",
        "flags": "Notas",
    },
}


def format_number(value: float, decimals: int, lang: str) -> str:
    """Format a number in the language's convention (the one of :func:`corett_lib.core.i18n.number`).

    Examples
    --------
    >>> format_number(1791, 0, "en"), format_number(1791, 0, "es"), format_number(2.537, 2, "es")
    ('1,791', '1,791', '2.54')
    """
    return number(value, lang, decimals)


def shown_value(row: pd.Series, lang: str) -> str:
    """Return the value as a person reads it: the number, a range ``1–4`` for censored sums, or ``–``.

    A row the disclosure decision hides (column ``disclosure``) reads ``<k`` (a small count) or
    "suppressed", as on the pages.
    """
    status = str(row.get("disclosure") or "")
    if status == "primary":
        return f"<{int(row.get('threshold') or 5)}"
    if status:
        return t("label.suppressed", lang)
    v, lo, hi = row["value"], row["value_low"], row["value_high"]
    d = int(row["decimals"])
    if not math.isnan(v):
        return format_number(v, d, lang)
    if not math.isnan(lo) and not math.isnan(hi):
        return f"{format_number(lo, d, lang)}–{format_number(hi, d, lang)}"
    return "–"


#: Columns that hold a figure or the counts behind it: emptied in a row the decision hides.
_FIGURES = ("value", "value_low", "value_high", "numerator", "denominator", "difference")


def _small(text: str, k: int) -> bool:
    """Return True when another source's figure needs primary suppression at ``k``.

    ``"4"``, ``"<5"``, ``"1,582"`` or a range ``"817-820"``, read by the rule every table follows
    (:func:`corett_lib.publishing.disclosure.is_small`).
    """
    low, dash, high = text.partition("-")
    try:
        if dash and low.strip() and not low.strip().startswith("<"):
            cell = disclosure.Cell.bounded(
                float(low.replace(",", "")), float(high.replace(",", ""))
            )
        else:
            cell = disclosure.parse_count(text)
    except ValueError:
        return False
    return disclosure.is_small(cell, k)


def _cell(value: float, low: float, high: float) -> disclosure.Cell:
    """Return a source's figure as a count: exact, or its bounds when only those are published."""
    if math.isnan(value) and not (math.isnan(low) or math.isnan(high)):
        return disclosure.Cell.bounded(low, high)
    return disclosure.parse_count(value)


def protect(
    table: pd.DataFrame, statuses: Sequence[str], k: int, counts: Sequence[bool]
) -> pd.DataFrame:
    """Return ``table`` with the pages' disclosure applied: hidden figures emptied, statuses added.

    ``statuses`` is :func:`~corett_lib.publishing.fact_disclosure.row_statuses` of the table's rows
    (for ``--source all``, of the figure each row is a source of); ``counts`` says which rows are
    counts of people. Adds ``disclosure`` (the status) and ``threshold`` (``k``). Other sources'
    figures (``other_sources``): a count's below ``k`` reads ``<k``; a rate's, share's or change's is
    left out (it would give that source's count, which may be small), and so is any for a hidden
    figure.
    """
    out = table.copy()
    hidden = [bool(st) or not is_count for st, is_count in zip(statuses, counts, strict=True)]
    figures = [bool(st) for st in statuses]
    out["disclosure"] = list(statuses)
    out["threshold"] = k
    for col in _FIGURES:
        if col in out:
            out[col] = out[col].astype(float).mask(figures)
    if "other_sources" in out:
        out["other_sources"] = [
            ""
            if hide
            else "; ".join(
                f"{src}=<{k}" if _small(val, k) else f"{src}={val}"
                for src, _, val in (item.partition("=") for item in str(text).split("; ") if item)
            )
            for hide, text in zip(hidden, out["other_sources"].fillna(""), strict=True)
        ]
    return out


def _source_statuses(
    sources: pd.DataFrame, chosen: pd.DataFrame, k: int, counts: Sequence[bool]
) -> list[str]:
    """Return each source row's status (``--source all``).

    The figure's own status when it is hidden; else, for another source's figure, ``primary`` when a
    count below ``k`` and ``derived`` when a rate, share or change (it would give that source's
    count); else ``""``.
    """
    by_fact = {
        key: st
        for key, st in zip(
            zip(
                chosen["iso3"],
                chosen["year"],
                chosen["indicator_id"],
                chosen["disaggregation"],
                chosen["category"],
                strict=True,
            ),
            chosen["disclosure"],
            strict=True,
        )
    }
    out = []
    for row, is_count in zip(sources.itertuples(index=False), counts, strict=True):
        key = (row.iso3, row.year, row.indicator_id, row.disaggregation, row.category)
        status = by_fact.get(key, "")
        cell = _cell(float(row.value), float(row.value_low), float(row.value_high))
        if not status and not row.chosen:
            if not is_count:
                status = DERIVED if not cell.missing else ""
            elif disclosure.is_small(cell, k):
                status = "primary"
        out.append(status)
    return out


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip() for item in values for v in str(item).split(",") if v.strip()]


def run_cli(
    data: str | None,
    lang: str,
    countries: Sequence[str],
    years: Sequence[int],
    indicators: Sequence[str],
    disaggregation: str | None,
    fmt: str,
    source: str = "chosen",
) -> int:
    """Print the indicator table; return the exit status.

    Parameters
    ----------
    data
        Data folder (default: ``$CORETT_DATA`` or the shipped ``data/``).
    lang
        ``en`` or ``es``.
    countries
        ISO3 codes of members and/or ``CORETT`` (default: all members and ``CORETT``); commas allowed.
    years
        Years (default: every year with a figure).
    indicators
        Indicator ids (default: all); commas allowed.
    disaggregation
        Breakdown id(s), comma-separated (``sex``, ``age``, ``sex_age``, ``form``, ``citizenship``),
        ``all`` for every allowed one; default ``total``.
    fmt
        ``table`` (people), ``csv`` or ``json`` (machines).
    source
        ``chosen`` (the figure pages show) or ``all`` (every source's figure side by side, with its
        difference from the chosen one).

    Returns
    -------
    int
        0 success, 1 data problems, 2 usage error.
    """
    reg = load_registry()
    cs = [c.upper() for c in _split(countries)]
    known = [*members(), REGION_CODE]
    bad = [c for c in cs if c not in known]
    if bad:
        click.echo(f"unknown country {bad}; use one of: {', '.join(known)}", err=True)
        return 2
    inds = _split(indicators)
    bad = [i for i in inds if i not in reg.ids()]
    if bad:
        click.echo(f"unknown indicator {bad}; known: {', '.join(reg.ids())}", err=True)
        return 2
    dis: list[str] | None
    if disaggregation is None:
        dis = ["total"]
    elif disaggregation.strip() == "all":
        dis = None
    else:
        dis = _split([disaggregation])
        bad = [d for d in dis if d not in reg.disaggregations]
        if bad:
            click.echo(
                f"unknown breakdown {bad}; known: all, {', '.join(reg.disaggregations)}", err=True
            )
            return 2
        if "total" not in dis:
            dis = ["total", *dis]
    try:
        ds = load(data)
    except DataError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        return 1
    facts = facts_from_dataset(ds)
    k = int(build_matrix().disclosure_k)
    table = indicator_table(
        facts,
        countries=cs or None,
        years=list(years) or None,
        indicators=inds or None,
        disaggregations=dis,
        lang=lang,
        country_names=ds.countries if len(ds.countries) else None,
    )
    counts = {i.id for i in reg.indicators if i.kind == "count"}
    chosen = protect(
        table, row_statuses(table, facts, k), k, table["indicator_id"].isin(counts).tolist()
    )
    if source == "all":
        sources = sources_table(facts, table)
        are_counts = sources["indicator_id"].isin(counts).tolist()
        statuses = _source_statuses(sources, chosen, k, are_counts)
        table = protect(sources, statuses, k, [True] * len(sources))
        if fmt == "table":
            click.echo(render_sources(table, lang))
            sys.stdout.flush()
            return 0
    else:
        table = chosen
    if fmt == "csv":
        # every text cell that a spreadsheet would run as a formula gets an apostrophe
        click.echo(neutralize_frame(table).to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        click.echo(render_table(table, lang))
    sys.stdout.flush()
    return 0


_SOURCE_HEADERS = {
    "en": {
        "country_label": "Country",
        "year": "Year",
        "label": "Indicator",
        "category_label": "Category",
        "source": "Source",
        "shown": "Value",
        "mark": "Shown",
        "diff": "Difference",
        "coverage": "Members",
    },
    "es": {
        "country_label": "País",
        "year": "Año",
        "label": "Indicador",
        "category_label": "Categoría",
        "source": "Fuente",
        "shown": "Valor",
        "mark": "Mostrada",
        "diff": "Diferencia",
        "coverage": "Miembros",
    },
}


def render_sources(table: pd.DataFrame, lang: str) -> str:
    """Return every source's figure (``--source all``) as aligned text.

    The source pages show is marked, the others carry their difference from it.
    """
    if table.empty:
        return "(no rows)" if lang != "es" else "(sin filas)"
    view = table.copy()
    view["shown"] = [shown_value(r, lang) for _, r in view.iterrows()]
    view["mark"] = ["*" if c else "" for c in view["chosen"]]
    view["diff"] = [
        ("+" if d > 0 else "") + format_number(d, int(n), lang) if not math.isnan(d) else ""
        for d, n in zip(view["difference"].astype(float), view["decimals"], strict=True)
    ]
    view["diff"] = [("" if c else d) for c, d in zip(view["chosen"], view["diff"], strict=True)]
    view["coverage"] = view["coverage_members"].fillna("").astype(str)
    heads = _SOURCE_HEADERS["es" if lang == "es" else "en"]
    view = view[list(heads)].rename(columns=heads)
    return view.to_string(index=False)


def render_table(table: pd.DataFrame, lang: str) -> str:
    """Return the indicator table as aligned text for a terminal."""
    if table.empty:
        return "(no rows)" if lang != "es" else "(sin filas)"

    view = table.copy()
    view["shown"] = [shown_value(r, lang) for _, r in view.iterrows()]
    if lang == "es":
        view["flags"] = view["flags"].map(
            lambda text: "; ".join(FLAGS_ES.get(f, f) for f in text.split(";") if f)
        )
        view["source"] = view["source"].str.replace(SUM_SOURCE, "suma de miembros", regex=False)
    heads = _HEADERS["es" if lang == "es" else "en"]
    view = view[list(heads)].rename(columns=heads)
    return view.to_string(index=False)
