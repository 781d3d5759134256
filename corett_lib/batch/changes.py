"""What a build changed: ``outputs/changes.html`` and the ``changes`` section of ``manifest.json``.

Against the manifest as it was before the build:

* **added**: reports published now that were not before (no record, or a failed one);
* **removed**: reports published before that are not now (the rebuild failed, or the files are gone);
* **revised**: for each rebuilt report, the published figures that changed, old → new (compared
  cell by cell with the previous ``.csv.zip`` by :func:`corett_lib.batch.extras.revised_figures`),
  with the inputs that changed between the two records (data files, notebook, configuration,
  library).

A build that rebuilt nothing leaves the last ``changes`` as it was (it changed nothing).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from corett_lib.batch import manifest
from corett_lib.core import i18n

CHANGES_FILE = "changes.html"
#: Revised cells listed per report on the page (all are in the manifest up to its own cap).
PAGE_CELLS = 40


#: Key of the manifest's top-level record of the data files' checksums at the last build.
DATA_FILES = "data_files"


def previous_state(man: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return what :func:`compute` needs of the manifest before a build: status and inputs per report."""
    return {
        key: {"status": rec.get("status"), "inputs": rec.get("inputs") or {}}
        for key, rec in (man.get("reports") or {}).items()
    }


def changed_files(old: Mapping[str, str] | None, new: Mapping[str, str]) -> list[str]:
    """Return the data files (relative to the data folder) added, removed or changed.

    Examples
    --------
    >>> changed_files({"raw/a.csv": "1", "raw/b.csv": "2"}, {"raw/a.csv": "1", "raw/b.csv": "3"})
    ['raw/b.csv']
    """
    if old is None:
        return []
    return sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))


def changed_inputs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Return the inputs that differ between two report records.

    The records' ``inputs`` name what a report depends on (its data slice, the shared data, the
    notebook, the configuration, the library); a part that is a mapping of files is compared file by
    file (``part:file``).

    Examples
    --------
    >>> changed_inputs({"data_slice": "1", "notebook": "n"}, {"data_slice": "2", "notebook": "n"})
    ['data_slice']
    """
    out: list[str] = []
    for part in sorted(set(old) | set(new)):
        a, b = old.get(part), new.get(part)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out += [f"{part}:{f}" for f in sorted(set(a) | set(b)) if a.get(f) != b.get(f)]
        elif a != b:
            out.append(part)
    return out


def _published(rec: Mapping[str, Any] | None, out_root: Path) -> bool:
    if not rec or rec.get("status") != "ok":
        return False
    return all((out_root / rel).is_file() for rel in (rec.get("outputs") or {}))


def compute(
    previous: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Any],
    built: Sequence[str],
    failed: Sequence[str],
    run_id: str,
    built_at: str,
    out_root: Path,
    data_files: Sequence[str] = (),
) -> dict[str, Any]:
    """Return the ``changes`` section of this build.

    Parameters
    ----------
    previous
        :func:`previous_state` of the manifest before the build.
    current
        The manifest after the build.
    built, failed
        Keys of the reports this build rebuilt and of those that failed.
    run_id, built_at
        The build's stamp.
    out_root
        The output folder (to tell whether a report's files are still there).
    data_files
        The data files that changed since the last build (:func:`changed_files`), named with the
        inputs of every revised report whose data changed.
    """
    reports = current.get("reports") or {}
    added = sorted(k for k in built if previous.get(k, {}).get("status") != "ok")
    removed = sorted(
        k
        for k, prev in previous.items()
        if prev.get("status") == "ok" and not _published(reports.get(k), out_root)
    )
    revised: dict[str, Any] = {}
    for key in sorted(built):
        rec = reports.get(key) or {}
        rev = rec.get("revisions") or {}
        if key in added or not rev.get("count"):
            continue
        parts = changed_inputs(previous.get(key, {}).get("inputs") or {}, rec.get("inputs") or {})
        data_changed = any(p.startswith(("data", "shared")) for p in parts)
        revised[key] = {
            "inputs": parts + ([f"data:{f}" for f in data_files] if data_changed else []),
            "count": rev["count"],
            "cells": rev.get("cells", []),
        }
    builds = current.get("builds") or []
    prior = [b.get("run_id") for b in builds if b.get("run_id") != run_id]
    return {
        "run_id": run_id,
        "built_at": built_at,
        "previous_run_id": prior[-1] if prior else None,
        "first_build": not previous,
        "added": added,
        "removed": removed,
        "failed": sorted(failed),
        "revised": revised,
    }


def _both(key: str, **kw: Any) -> str:
    en, es = i18n.t(f"changes.{key}", "en", **kw), i18n.t(f"changes.{key}", "es", **kw)
    return f'{html.escape(en)} <span lang="es" class="es">/ {html.escape(es)}</span>'


def _link(key: str) -> str:
    return f'<a href="{html.escape(key)}.html">{html.escape(key)}</a>'


_CSS = """
body { font: 1rem/1.5 system-ui, sans-serif; color: #1f2328; margin: 0; }
main, header { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
.es { color: #57606a; font-style: italic; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9rem; margin-bottom: 1.5rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
"""


def render_changes(changes: Mapping[str, Any] | None) -> str:
    """Return ``changes.html`` (English and Spanish side by side, like the index)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(i18n.t('changes.title', 'en'))} / "
        f"{html.escape(i18n.t('changes.title', 'es'))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<header><p><a href="index.html">{html.escape(i18n.t("page.index", "en"))}</a> · '
        f'<a href="index.html" lang="es">{html.escape(i18n.t("page.index", "es"))}</a></p></header>',
        f"<main><h1>{_both('title')}</h1>",
    ]
    if not changes:
        out.append(f"<p>{_both('none')}</p></main></body></html>")
        return "\n".join(out) + "\n"
    date = str(changes.get("built_at", ""))[:10]
    out.append(f"<p>{_both('intro', run_id=changes.get('run_id', ''), date=date)}</p>")
    if changes.get("first_build"):
        out.append(f"<p>{_both('no_previous')}</p>")
    for key in ("added", "removed"):
        items = changes.get(key) or []
        out.append(f"<h2>{_both(key)}</h2>")
        if not items:
            out.append(f"<p>{_both('none')}</p>")
        elif key == "added":
            out.append("<ul>" + "".join(f"<li>{_link(k)}</li>" for k in items) + "</ul>")
        else:
            out.append("<ul>" + "".join(f"<li>{html.escape(k)}</li>" for k in items) + "</ul>")
    out.append(f"<h2>{_both('revised')}</h2>")
    revised = changes.get("revised") or {}
    if not revised:
        out.append(f"<p>{_both('none')}</p>")
    for key, rev in revised.items():
        inputs = ", ".join(rev.get("inputs") or []) or "–"
        out.append(
            f"<h3>{_link(key)}</h3><p>{_both('col_inputs')}: <code>{html.escape(inputs)}</code></p>"
        )
        head = "".join(
            f"<th>{_both(c)}</th>"
            for c in ("col_table", "col_row", "col_column", "col_old", "col_new")
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape('' if c.get(f) is None else str(c.get(f)))}</td>"
                for f in ("table", "row", "column", "old", "new")
            )
            + "</tr>"
            for c in rev.get("cells", [])[:PAGE_CELLS]
        )
        # revised figures as published (already through disclosure control): not new counts
        out.append(
            '<div class="scroll" tabindex="0"><table data-corett-exempt="revisions of published figures">'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )
        more = int(rev.get("count", 0)) - min(len(rev.get("cells", [])), PAGE_CELLS)
        if more > 0:
            out.append(f"<p>{_both('more', n=more)}</p>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def write_changes(changes: Mapping[str, Any] | None, out_root: Path) -> Path:
    """Write ``<out_root>/changes.html`` atomically and return its path."""
    path = out_root / CHANGES_FILE
    manifest.atomic_write_text(path, render_changes(changes))
    return path
