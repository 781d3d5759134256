"""Report building blocks: what the notebooks call, one line per section.

* :func:`open_context` — the report's parameters and the validated data. Under ``corett build`` the data
  come from the snapshot the build validated once (``snapshot``); opened by hand, the notebook loads and
  validates the data itself. In a kernel reused between reports the snapshot is read once.
* :class:`Block` — what a section returns: HTML (headings, paragraphs, tables, inline SVG charts) that the
  notebook displays. Nothing in it loads from the network.
* :func:`publish` — every table a report shows goes through here (``corett_lib.publishing.publish.publish_table``
  with the report's threshold and suppression ledger); :func:`publish_chart` for the data of a chart.
  A table that names the facts of its count cells (``facts=``) is published with the country-year's
  disclosure decision (:attr:`Context.disclosure`), the same on every page, language and download.

Section functions live in one module per report (:mod:`corett_lib.reporting.annual`).
"""

from __future__ import annotations

import html as _html
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.analysis import quality as quality_rules
from corett_lib.core import cache, config
from corett_lib.core.problems import DataError, Problem
from corett_lib.dataset import snapshot
from corett_lib.dataset.model import Dataset
from corett_lib.dataset.monitoring import TABLE as MONITORING_TABLE
from corett_lib.dataset.registry import Registry
from corett_lib.facts import store as fact_store
from corett_lib.facts.engine import evaluate
from corett_lib.facts.table import Facts, facts_from_dataset
from corett_lib.publishing import fact_disclosure
from corett_lib.publishing import table_downloads as downloads
from corett_lib.publishing.publish import Ledger, publish_chart_data, publish_table
from corett_lib.validation.load import load

if TYPE_CHECKING:
    import pandas as pd


_SNAPSHOTS: dict[str, Dataset] = {}


def load_snapshot(path: str | os.PathLike[str]) -> Dataset:
    """Return the validated :class:`~corett_lib.dataset.model.Dataset` that ``corett build`` saved at ``path``.

    The snapshot is the build's own cache entry (parquet tables and JSON, never a pickle, see
    :mod:`corett_lib.core.cache`); its integrity is checked, and it is read once per process.

    Raises
    ------
    corett_lib.core.cache.CacheError
        Naming the file, when the entry is unreadable, edited or truncated.
    """
    key = str(Path(path).resolve())
    if key not in _SNAPSHOTS:
        entry = cache.read_entry(Path(key))
        _SNAPSHOTS[key] = snapshot.dataset_from(entry.meta["dataset"], entry.frames)
    return _SNAPSHOTS[key]


_EVALUATIONS: dict[int, Any] = {}


def evaluation(ds: Dataset) -> Any:
    """Return the indicator engine's evaluation of ``ds`` (computed once per dataset and process)."""
    key = id(ds)
    if key not in _EVALUATIONS:
        _EVALUATIONS.clear()  # one dataset at a time: the kernel keeps at most one evaluation
        _EVALUATIONS[key] = evaluate(ds.observations, ds.population)
    return _EVALUATIONS[key]


_FACTS: dict[int, Facts] = {}


def facts(ds: Dataset, snapshot: str = "") -> Facts:
    """Return the published facts of ``ds``.

    Those ``corett build`` stored beside the snapshot, or, for a notebook opened by hand, computed
    once per dataset and process.
    """
    if snapshot and fact_store.facts_header(snapshot).is_file():
        return fact_store.read_facts(snapshot)
    key = id(ds)
    if key not in _FACTS:
        _FACTS.clear()  # one dataset at a time
        _FACTS[key] = facts_from_dataset(ds)
    return _FACTS[key]


_QUALITY: dict[int, pd.DataFrame] = {}


def quality_flags(ds: Dataset, registry: Registry) -> pd.DataFrame:
    """Return the data-quality flags of the published facts of ``ds``, with their evidence.

    :func:`corett_lib.analysis.quality.fact_flag_rows` of the review of ``ds``'s observations:
    one row per fact, source and flag behind it (a count's own flags; a rate's or growth rate's
    those of the figures it is computed from). Computed once per dataset and process (a review
    takes about 0.2 s), like the indicator evaluation.
    """
    key = id(ds)
    if key not in _QUALITY:
        _QUALITY.clear()  # one dataset at a time
        _QUALITY[key] = quality_rules.fact_flag_rows(
            quality_rules.review(ds.observations), registry
        )
    return _QUALITY[key]


def monitoring(ds: Dataset) -> pd.DataFrame:
    """Return the monitoring data of ``ds`` (illustrative and collected), as the loader read it.

    Raises
    ------
    corett_lib.core.problems.DataError
        When the loader could not read the monitoring data (its problems, from ``ds.problems``).
    """
    if ds.monitoring is not None:
        return ds.monitoring
    found = [p for p in ds.problems if p.table == MONITORING_TABLE]
    raise DataError(
        found
        or [
            Problem(
                severity="error",
                check="monitoring_missing",
                file="monitoring/",
                message="the monitoring data could not be read",
                why="plan progress needs the monitoring data",
            )
        ]
    )


@dataclass
class Context:
    """One report's parameters, data, indicator evaluation and suppression ledger."""

    country: str  #: ISO3 of a member, or the regional code (``CORETT``)
    year: int
    lang: str  #: ``en`` or ``es``
    ds: Dataset
    k: int = 5  #: disclosure threshold (``disclosure_k`` of ``parameters/build.yaml``)
    ledger: Any = None  #: :class:`corett_lib.publishing.publish.Ledger` of this report
    snapshot: str = ""  #: the build's snapshot (its published facts are stored beside it)
    published: list[Any] = field(default_factory=list)  #: tables published so far (for downloads)
    #: What several sections of this report read, computed once (:func:`once`); never shown.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def facts(self) -> Facts:
        """The published facts (:class:`~corett_lib.facts.table.Facts`) every section reads.

        Looked up once per report (:func:`facts` checks the files beside the snapshot).
        """
        if "context.facts" not in self.memo:
            self.memo["context.facts"] = facts(self.ds, self.snapshot)
        return self.memo["context.facts"]

    @property
    def disclosure(self) -> fact_disclosure.FactDecision:
        """The disclosure decision of the published facts at the report's threshold.

        :func:`corett_lib.publishing.fact_disclosure.decision_for`: one per build's facts and
        threshold per process, so every page of a country-year hides the same facts.
        """
        return fact_disclosure.decision_for(self.facts, self.k, stored=self.snapshot)

    @property
    def quality_flags(self) -> pd.DataFrame:
        """The quality flags of the facts (:func:`quality_flags`), joined by pages on key and source."""
        return quality_flags(self.ds, self.facts.registry)

    @property
    def evaluation(self) -> Any:
        """The indicator engine's :class:`~corett_lib.facts.engine.Evaluation` of the data."""
        return evaluation(self.ds)

    @property
    def regional(self) -> bool:
        """True for the coalition's regional report."""
        return self.country == config.coalition().region_code

    @property
    def members(self) -> tuple[str, ...]:
        """The coalition's members."""
        return config.coalition().members


def once(ctx: Context, name: str, compute: Callable[[], Any]) -> Any:
    """Return ``compute()`` computed once per report (``ctx``), for sections that read the same table.

    The value is shared between the sections: they select from it and never change it.
    """
    if name not in ctx.memo:
        ctx.memo[name] = compute()
    return ctx.memo[name]


#: What a report's languages share (:func:`shared`): the dataset (compared by identity), snapshot,
#: country and year they were computed for, then the values by name. One country-year at a time.
_SHARED: dict[str, Any] = {}


def shared(ctx: Context, name: str, compute: Callable[[], Any]) -> Any:
    """Return ``compute()`` computed once per dataset, snapshot, country and year in this process.

    For what does not depend on the page's language (selections, linked tables before their
    labels): ``corett build`` runs a report's English and Spanish pages one after the other in the
    same kernel, so the second language reuses the first's. The value is computed again for another
    dataset object or snapshot (another build's data and published facts), country or year; only
    the last country-year's values are kept. Like :func:`once`, the value is shared: sections
    select from it and never change it.
    """
    owner = (ctx.ds, str(ctx.snapshot), ctx.country, int(ctx.year))
    held = _SHARED.get("owner")
    if held is None or held[0] is not owner[0] or held[1:] != owner[1:]:
        _SHARED.clear()
        _SHARED["owner"] = owner
        _SHARED["values"] = {}
    values: dict[str, Any] = _SHARED["values"]
    if name not in values:
        values[name] = compute()
    return values[name]


def open_context(country: str, year: int, lang: str, data: str = "", snapshot: str = "") -> Context:
    """Check a report's parameters and return its :class:`Context`.

    Parameters
    ----------
    country
        ISO3 of a member, or ``CORETT`` for the regional report.
    year
        The report's year.
    lang
        ``en`` or ``es``.
    data
        Data folder (empty: ``$CORETT_DATA`` or the shipped ``data/``); used when there is no snapshot.
    snapshot
        Path of the validated-data snapshot written by ``corett build`` (empty: load and validate).

    Raises
    ------
    ValueError
        For a country that is not a member nor the region, or a language without a catalogue.
    """
    coalition = config.coalition()
    if country not in (*coalition.members, coalition.region_code):
        raise ValueError(
            f"country {country!r} is not a member ({', '.join(coalition.members)}) "
            f"nor {coalition.region_code}"
        )
    if lang not in ("en", "es"):
        raise ValueError(f"lang {lang!r} is not en or es")
    ds = load_snapshot(snapshot) if snapshot else load(data or None)

    k = config.build_matrix().disclosure_k
    ledger = Ledger(k=k)
    return Context(
        country=country, year=int(year), lang=lang, ds=ds, k=k, ledger=ledger, snapshot=snapshot
    )


class Block:
    """A piece of report: HTML shown by the notebook (``_repr_html_``), with a plain-text fallback."""

    def __init__(self, html: str, text: str = "", extra: dict[str, Any] | None = None) -> None:
        self.html = html
        self.text = text
        self.extra = extra or {}  #: further MIME types, not shown on the page (downloads payload)

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, "text/plain": repr(self), **self.extra}

    def __repr__(self) -> str:
        return self.text or "(report block)"

    def __add__(self, other: Block) -> Block:
        return Block(
            self.html + other.html,
            "\n".join(x for x in (self.text, other.text) if x),
            {**self.extra, **other.extra},
        )


def esc(text: object) -> str:
    """HTML-escape ``text``."""
    return _html.escape(str(text))


def heading(text: str, level: int = 2, anchor: str | None = None) -> Block:
    """Return a heading block."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return Block(f"<h{level}{ident}>{esc(text)}</h{level}>\n", text)


def paragraph(text: str, css: str | None = None) -> Block:
    """Return a paragraph (``text`` is escaped)."""
    cls = f' class="{esc(css)}"' if css else ""
    return Block(f"<p{cls}>{esc(text)}</p>\n", text)


def bullet_list(items: list[str], css: str | None = None) -> Block:
    """Return an unordered list (items are escaped)."""
    cls = f' class="{esc(css)}"' if css else ""
    body = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Block(f"<ul{cls}>{body}</ul>\n", "\n".join(f"- {i}" for i in items))


def svg_figure(svg: str, caption: str, alt: str) -> Block:
    """Return an inline SVG chart with its caption and a text alternative (``role=img``)."""
    labelled = svg.replace("<svg", f'<svg role="img" aria-label="{esc(alt)}"', 1)
    return Block(
        f'<figure class="corett-chart">{labelled}<figcaption>{esc(caption)}</figcaption></figure>\n',
        caption,
    )


def _linked(ctx: Context, options: dict[str, Any]) -> dict[str, Any]:
    """Return ``options`` with the country-year decision when the table names its facts."""
    if options.get("facts") and options.get("linked") is None:
        return {**options, "linked": ctx.disclosure}
    return options


def publish(ctx: Context, df: pd.DataFrame, *, table_id: str, title: str, **options: Any) -> Any:
    """Return ``df`` published through :func:`corett_lib.publishing.publish.publish_table`.

    Disclosure control with the report's threshold and ledger: every table of a report goes through
    here. A table whose count cells name their facts (``facts=``) takes the country-year decision
    (:attr:`Context.disclosure`) for them; its own relations protect the rest.
    """
    published = publish_table(
        df,
        table_id=table_id,
        title=title,
        k=ctx.k,
        ledger=ctx.ledger,
        lang=ctx.lang,
        **_linked(ctx, options),
    )
    ctx.published.append(published)
    return published


def publish_chart(
    ctx: Context, df: pd.DataFrame, *, chart_id: str, title: str, **options: Any
) -> Any:
    """Return the data behind a chart, published with the report's threshold, ledger and language.

    It goes through :func:`corett_lib.publishing.publish.publish_chart_data`.

    Show ``.table`` as the chart's table and put ``.html_data(titles)`` in the page with the chart's
    SVG: the disclosure scanner checks every Vega SVG against a published data block.
    """
    chart = publish_chart_data(
        df,
        chart_id=chart_id,
        title=title,
        k=ctx.k,
        ledger=ctx.ledger,
        lang=ctx.lang,
        **_linked(ctx, options),
    )
    ctx.published.append(chart.table)
    return chart


def with_downloads(block: Block, ctx: Context) -> Block:
    """Return ``block`` carrying the downloads payload of every table ``ctx`` published so far.

    The payload
    (:mod:`corett_lib.publishing.table_downloads`): invisible on the page, read by ``corett build`` to write
    ``<report>.<lang>.xlsx`` and ``.csv.zip``. Call it once, in the report's last section.
    """
    extra = {downloads.MIME_TYPE: downloads.payload(ctx.published)}
    return Block(block.html, block.text, {**block.extra, **extra})


def table_block(df: pd.DataFrame, caption: str = "") -> Block:
    """Return ``df`` as an HTML table (index hidden, caption above)."""
    body = df.to_html(index=False, escape=True, border=0, classes="corett-table", na_rep="")
    cap = f"<p><strong>{esc(caption)}</strong></p>" if caption else ""
    return Block(f"{cap}{body}\n", caption)


def html_block(html: str, text: str = "") -> Block:
    """Return already-built HTML (a published table, a chart figure, the ledger) as a block."""
    return Block(html if html.endswith("\n") else html + "\n", text)


def wrap(*blocks: Block | None) -> Block:
    """Return the blocks joined into one (``None`` entries are skipped)."""
    out = Block("")
    for b in blocks:
        if b is not None:
            out = out + b
    return out


__all__ = [
    "Block",
    "Context",
    "bullet_list",
    "esc",
    "evaluation",
    "heading",
    "html_block",
    "load_snapshot",
    "monitoring",
    "once",
    "open_context",
    "paragraph",
    "publish",
    "publish_chart",
    "quality_flags",
    "svg_figure",
    "table_block",
    "with_downloads",
    "wrap",
]
