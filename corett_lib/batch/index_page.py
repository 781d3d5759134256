"""``outputs/index.html``: every report of the output folder with its status, in English and Spanish.

One static page (inline CSS, a small inline script, nothing from the network) built from
``manifest.json``: a table per year, one row per country and report, one column per language, each cell
a link named after what it opens ("Annual report, Guatemala, 2019, in English") or, for a failed
report, to its kept notebook. Landmarks (header, main, navigation) and a filter by year, country and
report (the script hides the rows that do not match; without script every row shows).
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corett_lib.batch import manifest, page
from corett_lib.core import i18n


def _label(key: str, lang: str) -> str:
    """Return a word of the page from the catalogue: ``index.<key>``, or the name of the report ``key``."""
    try:
        return i18n.t(f"index.{key}", lang)
    except KeyError:
        return i18n.t(f"report.{key}.name", lang)


_CSS = """
body { font: 1rem/1.5 system-ui, sans-serif; color: #1f2328; margin: 0; }
header, main { max-width: 64rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin: 1.2rem 0 .4rem; }
.scroll { overflow-x: auto; margin-bottom: 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
.failed { color: #b42318; font-weight: bold; } .none { color: #57606a; }
.es { color: #57606a; font-style: italic; }
form.filter { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; align-items: end; margin: 1rem 0;
  padding: .6rem .8rem; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; }
form.filter label { display: flex; flex-direction: column; font-size: .9rem; }
form.filter select { font: inherit; padding: .2rem; min-width: 8rem; }
form.filter label, form.filter select { max-width: 100%; min-width: 0; }
[hidden] { display: none !important; }
@media (max-width: 40rem) {  /* a phone: one row per report, its two links (they name everything) */
  thead, td:nth-child(1), td:nth-child(2) { display: none; }
  table, tbody, tr, td { display: block; }
  tr { border-bottom: 1px solid #d0d7de; padding: .4rem 0; }
  td { border: 0; padding: .15rem 0; }
}
"""

#: Filters the rows by the selected year, country and report (the page works without it).
_SCRIPT = """
(function () {
  var form = document.getElementById('filter');
  if (!form) { return; }
  form.hidden = false;
  function apply() {
    var want = {};
    ['year', 'country', 'report'].forEach(function (k) { want[k] = form.elements[k].value; });
    var shown = 0;
    document.querySelectorAll('tr[data-year]').forEach(function (tr) {
      var ok = ['year', 'country', 'report'].every(function (k) {
        return !want[k] || tr.getAttribute('data-' + k) === want[k];
      });
      tr.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll('section[data-year]').forEach(function (sec) {
      sec.hidden = !sec.querySelector('tr[data-year]:not([hidden])');
    });
    var out = document.getElementById('shown');
    out.textContent = out.getAttribute('data-template').split('{n}').join(shown);
  }
  form.addEventListener('change', apply);
  apply();
})();
"""


def _both(key: str) -> str:
    """Return the label in English, then in Spanish (the page serves readers of both)."""
    try:
        en, es = _label(key, "en"), _label(key, "es")
    except KeyError:  # a report added without a catalogue name: show its key
        en = es = key
    return f'{html.escape(en)} <span class="es" lang="es">/ {html.escape(es)}</span>'


def _country(code: str) -> str:

    try:
        en, es = i18n.country_name(code, "en"), i18n.country_name(code, "es")
    except KeyError:  # not an ISO code: show it as recorded
        return html.escape(code)
    names = (
        en
        if en == es
        else f'{html.escape(en)} <span class="es" lang="es">/ {html.escape(es)}</span>'
    )
    return f"{html.escape(code)} · {names}"


def _open_text(report: str, country: str, year: int, lang: str) -> str:
    """Return the text of a link to a report: what it opens, in the language of that report."""
    name = page.report_name(report, lang)
    key = "index_page.open" if lang == "en" else "index_page.open_es"
    try:
        return i18n.t(key, lang, report=name, country=page.country_label(country, lang), year=year)
    except ValueError:  # a language without a catalogue: name it by its code
        return f"{name}, {country}, {year} ({lang})"


def _cell(record: Mapping[str, Any] | None, rel_html: str, text: str = "", lang: str = "en") -> str:
    if not record:
        return f'<span class="none">{_both("none")}</span>'
    if record.get("status") == "ok":
        attrs = (
            f' lang="{html.escape(lang)}" hreflang="{html.escape(lang)}"' if lang != "en" else ""
        )
        return f'<a href="{html.escape(rel_html)}"{attrs}>{html.escape(text or rel_html)}</a>'
    parts = [f'<span class="failed">{_both("failed")}</span>']
    if record.get("failed_notebook"):
        parts.append(
            f'<a href="{html.escape(record["failed_notebook"])}">{_both("failed_notebook")}</a>'
        )
    if record.get("previous_outputs") and rel_html in record["previous_outputs"]:
        parts.append(f'<a href="{html.escape(rel_html)}">{_both("previous")}</a>')
    return "<br>".join(parts)


def render_index(man: Mapping[str, Any]) -> str:
    """Return the index page of the manifest ``man`` as HTML."""
    reports: Mapping[str, Mapping[str, Any]] = man.get("reports", {})
    rows: dict[int, dict[tuple[str, str], dict[str, Mapping[str, Any]]]] = defaultdict(dict)
    langs: set[str] = set()
    for rec in reports.values():
        p = rec.get("parameters", {})
        year, country, report, lang = (
            p.get("year"),
            p.get("country"),
            p.get("report"),
            p.get("lang"),
        )
        if None in (year, country, report, lang):
            continue
        rows[int(year)].setdefault((str(country), str(report)), {})[str(lang)] = rec
        langs.add(str(lang))
    lang_cols = sorted(langs) or ["en", "es"]
    builds = man.get("builds") or []
    last = builds[-1] if builds else {}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(_label('title', 'en'))} / {html.escape(_label('title', 'es'))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{_both('title')}</h1>",
    ]
    if last:
        changes = (
            f' · <a href="changes.html">{_both_page("index_page.changes")}</a>'
            if man.get("changes")
            else ""
        )
        out.append(
            f"<p>{_both('last_build')}: {html.escape(str(last.get('finished', '')))} · "
            f"{_both('run')} "
            f"{html.escape(str(last.get('run_id', '')))} · "
            f'<a href="manifest.json">{_both("manifest")}</a>{changes}</p>'
        )
    out.append("</header><main>")
    out.append(_filter_form(rows))
    for year in sorted(rows, reverse=True):
        out.append(
            f'<section data-year="{year}" aria-labelledby="y{year}">'
            f'<h2 id="y{year}">{_both("year")} {year}</h2>'
        )
        head = "".join(
            f'<th scope="col">{html.escape(i18n.t(f"language.{lang}", "en") if lang in ("en", "es") else lang)}'
            + (
                f' <span class="es" lang="es">/ {html.escape(i18n.t(f"language.{lang}", "es"))}</span>'
                if lang in ("en", "es")
                else ""
            )
            + "</th>"
            for lang in lang_cols
        )
        out.append(  # links and build status, no counts: exempt from the disclosure scanner
            '<div class="scroll" tabindex="0">'
            '<table data-corett-exempt="index of reports: links and build status">'
            f'<thead><tr><th scope="col">{_both("country")}</th><th scope="col">{_both("report")}</th>'
            f"{head}</tr></thead><tbody>"
        )
        for (country, report), by_lang in sorted(rows[year].items()):
            cells = "".join(
                "<td>"
                + _cell(
                    by_lang.get(lang),
                    f"{year}/{country}/{report}.{lang}.html",
                    _open_text(report, country, year, lang),
                    lang,
                )
                + "</td>"
                for lang in lang_cols
            )
            out.append(
                f'<tr data-year="{year}" data-country="{html.escape(country)}" '
                f'data-report="{html.escape(report)}"><td>{_country(country)}</td>'
                f"<td>{_both(report)}</td>{cells}</tr>"
            )
        out.append("</tbody></table></div></section>")
    out.append(f"</main><script>{_SCRIPT}</script></body></html>")
    return "\n".join(out) + "\n"


def _both_page(key: str, **kw: Any) -> str:
    en, es = i18n.t(key, "en", **kw), i18n.t(key, "es", **kw)
    return f'{html.escape(en)} <span class="es" lang="es">/ {html.escape(es)}</span>'


def _filter_form(rows: Mapping[int, Mapping[tuple[str, str], Any]]) -> str:
    """Return the filter form (hidden until the script shows it: no dead control without script)."""
    years = sorted(rows, reverse=True)
    countries = sorted({c for by in rows.values() for c, _ in by})
    reports = sorted({r for by in rows.values() for _, r in by})
    all_ = _plain_both("index_page.all")

    def select(name: str, values: list[Any], label: Any) -> str:
        options = f'<option value="">{all_}</option>' + "".join(
            f'<option value="{html.escape(str(v))}">{html.escape(str(label(v)))}</option>'
            for v in values
        )
        return (
            f"<label>{_plain_both(f'index_page.filter_{name}')}"
            f'<select name="{name}">{options}</select></label>'
        )

    def report_label(r: str) -> str:
        en, es = page.report_name(r, "en"), page.report_name(r, "es")
        return en if en == es else f"{en} / {es}"

    def country_label(c: str) -> str:
        en, es = page.country_label(c, "en"), page.country_label(c, "es")
        return en if en == es else f"{en} / {es}"

    n = sum(len(by) for by in rows.values())
    template = html.escape(
        i18n.t("index_page.shown", "en", n="{n}")
        + " / "
        + i18n.t("index_page.shown", "es", n="{n}")
    )
    return (
        f'<form class="filter" id="filter" hidden aria-label="{_plain_both("index_page.filter")}">'
        + select("year", years, str)
        + select("country", countries, country_label)
        + select("report", reports, report_label)
        + f'<output id="shown" data-template="{template}" aria-live="polite">{n}</output></form>'
    )


def _plain_both(key: str) -> str:
    return html.escape(f"{i18n.t(key, 'en')} / {i18n.t(key, 'es')}")


def write_index(man: Mapping[str, Any], out_root: Path) -> Path:
    """Write ``<out_root>/index.html`` atomically and return its path."""
    path = out_root / "index.html"
    manifest.atomic_write_text(path, render_index(man))
    return path
