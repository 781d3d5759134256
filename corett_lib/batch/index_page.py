"""``outputs/index.html``: every report of the output folder with its status, in English and Spanish.

One static page (inline CSS, no script, nothing from the network) built from ``manifest.json``: a table per
year, one row per country and report, one column per language, each cell a link to the report or, for a
failed report, to its kept notebook.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corett_lib.batch import manifest
from corett_lib.core import i18n


def _label(key: str, lang: str) -> str:
    """Return a word of the page from the catalogue: ``index.<key>``, or the name of the report ``key``."""
    try:
        return i18n.t(f"index.{key}", lang)
    except KeyError:
        return i18n.t(f"report.{key}.name", lang)


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; margin-bottom: 2rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f2f2f2; }
.ok { color: #1a7f37; } .failed { color: #b42318; font-weight: bold; } .none { color: #777; }
.es { color: #555; font-style: italic; }
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


def _cell(record: Mapping[str, Any] | None, rel_html: str) -> str:
    if not record:
        return f'<span class="none">{_both("none")}</span>'
    if record.get("status") == "ok":
        return f'<a href="{html.escape(rel_html)}" class="ok">{_both("ok")}</a>'
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
        f"<title>{html.escape(_label('title', 'en'))} / {html.escape(_label('title', 'es'))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_both('title')}</h1>",
    ]
    if last:
        out.append(
            f"<p>{_both('last_build')}: {html.escape(str(last.get('finished', '')))} · "
            f"{_both('run')} "
            f"{html.escape(str(last.get('run_id', '')))} · "
            f'<a href="manifest.json">{_both("manifest")}</a></p>'
        )
    for year in sorted(rows, reverse=True):
        out.append(f"<h2>{_both('year')} {year}</h2>")
        head = "".join(f"<th>{html.escape(lang)}</th>" for lang in lang_cols)
        out.append(  # links and build status, no counts: exempt from the disclosure scanner
            '<table data-corett-exempt="index of reports: links and build status">'
            f"<tr><th>{_both('country')}</th><th>{_both('report')}</th>{head}</tr>"
        )
        for (country, report), by_lang in sorted(rows[year].items()):
            cells = "".join(
                "<td>"
                + _cell(by_lang.get(lang), f"{year}/{country}/{report}.{lang}.html")
                + "</td>"
                for lang in lang_cols
            )
            out.append(f"<tr><td>{_country(country)}</td><td>{_both(report)}</td>{cells}</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_index(man: Mapping[str, Any], out_root: Path) -> Path:
    """Write ``<out_root>/index.html`` atomically and return its path."""
    path = out_root / "index.html"
    manifest.atomic_write_text(path, render_index(man))
    return path
