"""The page around a report: navigation, downloads, table of contents and identity block.

:func:`corett_lib.batch.render.export_html` renders a report with the slim nbconvert template
``templates/corett`` and fills it from a :class:`PageInfo`:

* **navigation** (top): the index, the other-language twin, the sibling reports of the same country and
  year, each link named after what it opens;
* **downloads** (top): ``<report>.<lang>.xlsx`` and ``.csv.zip`` (and ``.pdf`` when built), next to the page;
* **table of contents**: one entry per ``<h2>`` of the report (ids added where missing);
* **identity block** (bottom): build date, library version, run id, code commit, data edition (publisher,
  title and access date of every raw input, from ``raw/PROVENANCE.yaml``) and a "cite as" line.

The run id and the build time come from one :class:`BuildStamp`, made once per build
(:func:`new_stamp`); with ``SOURCE_DATE_EPOCH`` set the time is that instant, so two builds of the same
inputs with the same stamp write the same bytes.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from corett_lib import __version__
from corett_lib.core import i18n
from corett_lib.core.problems import DataError
from corett_lib.raw.provenance import read_provenance

TEMPLATES_DIR: Path = Path(__file__).resolve().parent / "templates"
"""nbconvert template folder: ``corett/`` holds ``conf.json``, ``index.html.j2`` and ``corett.css``."""

TEMPLATE_NAME = "corett"
TOC_PLACEHOLDER = "<!--corett:toc-->"

#: Download kinds, in the order the page lists them: file suffix after ``<report>.<lang>``.
DOWNLOAD_SUFFIXES: dict[str, str] = {"xlsx": ".xlsx", "csv": ".csv.zip", "pdf": ".pdf"}


@dataclass(frozen=True)
class BuildStamp:
    """The run id and build time of one build: made once, written on every page and record."""

    run_id: str
    built_at: str  #: ISO 8601, UTC, seconds

    @property
    def date(self) -> str:
        """The build date, ``YYYY-MM-DD``."""
        return self.built_at[:10]


def new_stamp(now: datetime | None = None) -> BuildStamp:
    """Return the stamp of a new build.

    The time is ``now``, else ``$SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds
    convention), else the current time. The run id is the time plus six random hex digits.

    Examples
    --------
    >>> new_stamp(datetime(2026, 12, 1, 2, 3, 4, tzinfo=UTC)).built_at
    '2026-12-01T02:03:04+00:00'
    """
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        now = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    now = now.astimezone(UTC).replace(microsecond=0)
    return BuildStamp(
        run_id=now.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6],
        built_at=now.isoformat(timespec="seconds"),
    )


@dataclass(frozen=True)
class Source:
    """One entry of the data edition (a raw input's provenance)."""

    publisher: str
    title: str
    date_accessed: str
    illustrative: bool = False


def data_edition(data_dir: str | os.PathLike[str]) -> tuple[Source, ...]:
    """Return the data edition of ``data_dir``.

    One :class:`Source` per distinct publisher and title
    of ``raw/PROVENANCE.yaml``, in the record's order.

    Raises
    ------
    corett_lib.core.problems.DataError
        When the provenance record is missing or invalid (validation reports it the same way).
    """
    seen: dict[tuple[str, str], Source] = {}
    for entry in read_provenance(data_dir).values():
        key = (str(entry["publisher"]), str(entry["title"]))
        if key not in seen:
            seen[key] = Source(
                publisher=key[0],
                title=key[1],
                date_accessed=str(entry["date_accessed"]),
                illustrative=bool(entry.get("illustrative")),
            )
    return tuple(seen.values())


def safe_data_edition(data_dir: str | os.PathLike[str]) -> tuple[Source, ...]:
    """Return :func:`data_edition`, or an empty edition when the record cannot be read.

    (The build validated
    the data already, so this only happens for a data folder without a record).
    """
    try:
        return data_edition(data_dir)
    except DataError:
        return ()


def short_publisher(publisher: str) -> str:
    """Return a publisher's short name: the text before the first parenthesis or comma.

    Examples
    --------
    >>> short_publisher("UNODC (United Nations Office on Drugs and Crime)")
    'UNODC'
    >>> short_publisher("World Bank (World Development Indicators), via the datasets/population data package")
    'World Bank'
    """
    return re.split(r"\s*[(,]", publisher, maxsplit=1)[0].strip() or publisher


@dataclass(frozen=True)
class PageInfo:
    """Everything the page around one report shows besides the report itself."""

    year: int
    country: str
    report: str
    lang: str
    stamp: BuildStamp
    edition: tuple[Source, ...] = ()
    siblings: tuple[str, ...] = ()  #: other reports of the same country, year and language
    languages: tuple[str, ...] = ()  #: languages in which this report exists (the twin's)
    downloads: tuple[str, ...] = ("xlsx", "csv")  #: keys of :data:`DOWNLOAD_SUFFIXES`
    commit: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def file_name(
        self, report: str | None = None, lang: str | None = None, kind: str = "html"
    ) -> str:
        """Return the file name of a product next to the page (``annual.es.html``, ``annual.en.xlsx``)."""
        suffix = ".html" if kind == "html" else DOWNLOAD_SUFFIXES[kind]
        return f"{report or self.report}.{lang or self.lang}{suffix}"


def country_label(code: str, lang: str) -> str:
    """Return a country's (or the coalition's) name in ``lang``, or the code when it has none."""
    try:
        return i18n.country_name(code, lang)
    except KeyError:
        return code


def report_title(report: str, country: str, year: int, lang: str) -> str:
    """Return a report's full title from the catalogue (``report.<report>.title``)."""
    try:
        return i18n.t(
            f"report.{report}.title", lang, country=country_label(country, lang), year=year
        )
    except KeyError:
        return f"{report_name(report, lang)}, {country_label(country, lang)}, {year}"


def report_name(report: str, lang: str) -> str:
    """Return a report's short name from the catalogue, or its key."""
    try:
        return i18n.t(f"report.{report}.name", lang)
    except KeyError:
        return report


def _e(text: object) -> str:
    return html.escape(str(text))


def header_html(info: PageInfo) -> str:
    """Return the navigation and download links shown at the top of a report page."""
    lang = info.lang
    t = lambda key, **kw: i18n.t(f"page.{key}", lang, **kw)  # noqa: E731
    country = country_label(info.country, lang)
    links = [f'<li><a href="../../index.html">{_e(t("index"))}</a></li>']
    for other in info.languages:
        if other == lang:
            continue
        links.append(
            f'<li><a href="{_e(info.file_name(lang=other))}" hreflang="{_e(other)}" '
            f'lang="{_e(other)}">{_e(i18n.t("page.twin", lang))}</a></li>'
        )
    parts = [f'<nav class="crumbs" aria-label="{_e(t("nav_label"))}"><ul>{"".join(links)}</ul>']
    if info.siblings:
        items = "".join(
            f'<li><a href="{_e(info.file_name(report=r))}">'
            f"{_e(t('sibling', report=report_name(r, lang), country=country, year=info.year))}"
            "</a></li>"
            for r in info.siblings
        )
        parts.append(
            f'<p class="siblings-label">{_e(t("siblings", country=country, year=info.year))}</p>'
            f'<ul class="siblings">{items}</ul>'
        )
    parts.append("</nav>")
    if info.downloads:
        items = "".join(
            f'<li><a href="{_e(info.file_name(kind=k))}" download>{_e(t(k))}</a></li>'
            for k in info.downloads
        )
        parts.append(
            f'<nav class="downloads" aria-label="{_e(t("downloads_label"))}">'
            f"<span>{_e(t('downloads'))}</span> <ul>{items}</ul></nav>"
        )
    return "".join(parts)


def cite_text(info: PageInfo) -> str:
    """Return the "cite as" line of a report page (plain text)."""
    lang = info.lang
    publishers = list(dict.fromkeys(short_publisher(s.publisher) for s in info.edition))
    return i18n.t(
        "page.cite_text",
        lang,
        workbench=i18n.t("report.workbench", lang),
        year_built=info.stamp.date[:4],
        title=report_title(info.report, info.country, info.year, lang),
        version=__version__,
        run_id=info.stamp.run_id,
        date=i18n.date(info.stamp.date, lang),
        publishers="; ".join(publishers) or "–",
    )


def identity_html(info: PageInfo) -> str:
    """Return the identity block: build date, version, run, commit, data edition, cite-as line."""
    lang = info.lang
    t = lambda key, **kw: i18n.t(f"page.{key}", lang, **kw)  # noqa: E731
    rows = [
        (
            t("built"),
            f'<time datetime="{_e(info.stamp.built_at)}">{_e(i18n.date(info.stamp.date, lang))}</time>',
        ),
        (t("version"), _e(__version__)),
        (t("run"), f"<code>{_e(info.stamp.run_id)}</code>"),
    ]
    if info.commit:
        rows.append((t("commit"), f"<code>{_e(info.commit[:12])}</code>"))
    if info.edition:
        items = []
        for s in info.edition:
            entry = t(
                "edition_entry",
                publisher=s.publisher,
                title=s.title,
                date=i18n.date(s.date_accessed, lang),
            )
            flag = f" <strong>({_e(t('illustrative'))})</strong>" if s.illustrative else ""
            items.append(f"<li>{_e(entry)}{flag}</li>")
        rows.append((t("edition"), f'<ul class="edition">{"".join(items)}</ul>'))
    rows.append((t("cite"), f'<span class="cite">{_e(cite_text(info))}</span>'))
    # Build date, version, run, commit and the cite line change with every build, not with the
    # content: marked volatile, so an approved page stays approved (corett_lib.batch.approval).
    stable = {t("edition")}
    body = "".join(
        f"<dt>{_e(k)}</dt><dd>{v}</dd>"
        if k in stable
        else f"<dt>{_e(k)}</dt><dd data-corett-volatile>{v}</dd>"
        for k, v in rows
    )
    return (
        f'<section aria-labelledby="corett-identity"><h2 id="corett-identity">{_e(t("identity"))}</h2>'
        f"<dl>{body}</dl></section>"
    )


_H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<text>.*?)</h2>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
_TAGS = re.compile(r"<[^>]+>")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "section"


def add_toc(page: str, lang: str) -> str:
    """Give every ``<h2>`` of ``<main>`` an id and put the table of contents in place.

    :data:`TOC_PLACEHOLDER` becomes a table of
    contents linking to them (nothing when the report has fewer than two sections).
    """
    start, end = page.find("<main"), page.find("</main>")
    if start == -1 or end == -1:
        return page.replace(TOC_PLACEHOLDER, "")
    used: set[str] = set(_ID.findall(page))
    entries: list[tuple[str, str]] = []

    def fix(m: re.Match[str]) -> str:
        attrs, inner = m.group("attrs"), m.group("text")
        text = html.unescape(_TAGS.sub("", inner)).strip()
        found = _ID.search(attrs)
        if found:
            ident = found.group(1)
        else:
            base = ident = f"s-{_slug(text)}"
            n = 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            attrs = f' id="{ident}"{attrs}'
        entries.append((ident, text))
        return f"<h2{attrs}>{inner}</h2>"

    body = _H2.sub(fix, page[start:end])
    page = page[:start] + body + page[end:]
    if len(entries) < 2:
        return page.replace(TOC_PLACEHOLDER, "")
    label = i18n.t("page.toc", lang)
    items = "".join(f'<li><a href="#{_e(i)}">{_e(text)}</a></li>' for i, text in entries)
    toc = f'<nav class="toc" aria-label="{_e(label)}"><strong>{_e(label)}</strong><ol>{items}</ol></nav>'
    return page.replace(TOC_PLACEHOLDER, toc, 1)


_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)


def wrap_tables(page: str) -> str:
    """Put each top-level ``<table>`` in a horizontally scrolling, keyboard-focusable box.

    So a wide
    table scrolls inside the page on a phone instead of widening it.
    """
    out: list[str] = []
    pos = depth = 0
    pattern = re.compile(r"<table\b|</table\s*>", re.IGNORECASE)
    for m in pattern.finditer(page):
        is_open = bool(_TABLE_OPEN.match(m.group(0)))
        if is_open:
            if depth == 0:
                out.append(page[pos : m.start()])
                out.append('<div class="scroll" tabindex="0">')
                pos = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                out.append(page[pos : m.end()])
                out.append("</div>")
                pos = m.end()
    out.append(page[pos:])
    return "".join(out)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """Return the page's stylesheet (``templates/corett/corett.css``)."""
    return (TEMPLATES_DIR / TEMPLATE_NAME / "corett.css").read_text(encoding="utf-8")


def template_resources(info: PageInfo) -> dict[str, Any]:
    """Return what the ``corett`` template reads from ``resources.corett``."""
    return {
        "lang": info.lang,
        "css": stylesheet(),
        "generator": f"CORETT workbench {__version__}",
        "skip_label": i18n.t("page.skip", info.lang),
        "header_html": header_html(info),
        "identity_html": identity_html(info),
        "toc_placeholder": TOC_PLACEHOLDER,
    }


def finish_page(page: str, info: PageInfo) -> str:
    """Return the rendered page with its table of contents and scrolling tables."""
    return wrap_tables(add_toc(page, info.lang))


def siblings_of(
    report: str, lang: str, available: Sequence[tuple[str, str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return ``(sibling reports in lang, languages of report)``.

    From the ``(report, lang)`` pairs that exist
    for the same country and year.
    """
    have = set(available)
    siblings = tuple(sorted({r for r, lg in have if lg == lang and r != report}))
    languages = tuple(sorted({lg for r, lg in have if r == report}))
    return siblings, languages


class PageSet:
    """Hold the pages of one build.

    Which reports exist for each country and year (for the navigation),
    the build's stamp, the data edition and the commit, and which downloads each page offers.

    Parameters
    ----------
    stamp, edition, commit
        As in :class:`PageInfo`.
    reports
        ``(year, country, report, lang)`` of every report the output folder will hold: the build's
        matrix plus the reports already published there.
    pdf
        True when this build prints PDFs (the pages then link to them).
    """

    def __init__(
        self,
        stamp: BuildStamp,
        edition: tuple[Source, ...],
        commit: str | None,
        reports: Sequence[tuple[int, str, str, str]],
        pdf: bool = False,
    ) -> None:
        self.stamp, self.edition, self.commit, self.pdf = stamp, edition, commit, pdf
        self._by_place: dict[tuple[int, str], set[tuple[str, str]]] = {}
        for year, country, report, lang in reports:
            self._by_place.setdefault((int(year), str(country)), set()).add((report, lang))

    def info(self, year: int, country: str, report: str, lang: str) -> PageInfo:
        """Return the :class:`PageInfo` of one report."""
        available = sorted(self._by_place.get((int(year), country), set()) | {(report, lang)})
        siblings, languages = siblings_of(report, lang, available)
        return PageInfo(
            year=int(year),
            country=country,
            report=report,
            lang=lang,
            stamp=self.stamp,
            edition=self.edition,
            siblings=siblings,
            languages=languages,
            downloads=("xlsx", "csv", "pdf") if self.pdf else ("xlsx", "csv"),
            commit=self.commit,
        )


def published_reports(man: Mapping[str, Any]) -> list[tuple[int, str, str, str]]:
    """Return ``(year, country, report, lang)`` of every report a manifest records as published."""
    out = []
    for rec in (man.get("reports") or {}).values():
        p = rec.get("parameters") or {}
        if rec.get("status") == "ok" and None not in (
            p.get("year"),
            p.get("country"),
            p.get("report"),
            p.get("lang"),
        ):
            out.append((int(p["year"]), str(p["country"]), str(p["report"]), str(p["lang"])))
    return out
