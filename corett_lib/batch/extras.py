"""The files written next to a report page besides its HTML: downloads and what their figures revised.

* :func:`find_tables` reads the downloads payload a report emitted (its published tables, see
  :mod:`corett_lib.publishing.table_downloads`) from the executed notebook;
* :func:`download_files` returns the bytes of ``<report>.<lang>.xlsx`` and ``.csv.zip``;
* :func:`write_companions` writes them (and the PDF, :mod:`corett_lib.batch.pdf`) beside the page;
* :func:`revised_figures` compares the tables of the previous ``.csv.zip`` with the new ones, cell by
  cell: the published figures a rebuild revised, old → new (recorded in the manifest and shown in
  ``changes.html``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corett_lib.batch import manifest
from corett_lib.batch.page import DOWNLOAD_SUFFIXES, PageInfo, report_title, short_publisher
from corett_lib.batch.pdf import PdfError, print_pdf
from corett_lib.publishing import table_downloads as downloads

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: At most this many revised cells are recorded per report (the count is always recorded).
MAX_REVISIONS = 200


def find_tables(nb: NotebookNode) -> list[dict[str, Any]] | None:
    """Return the published tables of the report's downloads payload, or None when it emitted none."""
    found: list[dict[str, Any]] | None = None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if downloads.MIME_TYPE in data:
                found = list(data[downloads.MIME_TYPE].get("tables", []))
    return found


def without_table_downloads(info: PageInfo) -> PageInfo:
    """Return ``info`` without the ``.xlsx`` and ``.csv.zip`` links (a report that published no table)."""
    return replace(info, downloads=tuple(k for k in info.downloads if k not in ("xlsx", "csv")))


def download_files(tables: Sequence[Mapping[str, Any]], info: PageInfo) -> dict[str, bytes]:
    """Return ``{kind: bytes}`` of the report's downloads (``xlsx`` and ``csv``)."""
    head = downloads.Heading(
        report_title=report_title(info.report, info.country, info.year, info.lang),
        lang=info.lang,
        default_sources=tuple(
            dict.fromkeys(short_publisher(s.publisher) for s in info.edition if not s.illustrative)
        ),
    )
    return {
        "xlsx": downloads.workbook_bytes(tables, head),
        "csv": downloads.csv_zip_bytes(tables, head),
    }


def download_path(html: Path, kind: str) -> Path:
    """Return the path of a download next to the page ``html`` (``annual.en.html`` -> ``annual.en.xlsx``)."""
    stem = html.name[: -len(".html")]
    return html.with_name(stem + DOWNLOAD_SUFFIXES[kind])


def _cells(table: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """Return the figures of a table keyed by (row label, column).

    The row label joins the row's label
    cells, the columns are its count and derived columns.
    """
    columns, roles = list(table.get("columns", [])), list(table.get("roles", []))
    labels = [i for i, r in enumerate(roles) if r == "label"]
    figures = [i for i, r in enumerate(roles) if r != "label"]
    out: dict[tuple[str, str], Any] = {}
    for row in table.get("rows", []):
        label = " · ".join("" if row[i] is None else str(row[i]) for i in labels)
        for i in figures:
            out[(label, str(columns[i]))] = row[i]
    return out


def revised_figures(old_zip: bytes | None, new_zip: bytes) -> dict[str, Any]:
    """Return what changed between two ``.csv.zip`` of one report.

    ``{"count": n, "cells": [...]}``,
    each cell ``{"table", "row", "column", "old", "new"}``: a figure published in both that changed
    (a table, row or column added or dropped is not a revision). Without a readable previous zip
    nothing is revised.
    """
    if old_zip is None:
        return {"count": 0, "cells": []}
    try:
        old = {t.get("title") or t.get("id"): t for t in downloads.read_tables(old_zip)}
    except ValueError:  # a previous file of another format: nothing to compare with
        return {"count": 0, "cells": []}
    new = {t.get("title") or t.get("id"): t for t in downloads.read_tables(new_zip)}
    cells: list[dict[str, Any]] = []
    for name in sorted(set(old) & set(new), key=str):
        before, after = _cells(old[name]), _cells(new[name])
        for key in sorted(set(before) & set(after)):
            if before[key] != after[key]:
                cells.append(
                    {
                        "table": name,
                        "row": key[0],
                        "column": key[1],
                        "old": before[key],
                        "new": after[key],
                    }
                )
    return {"count": len(cells), "cells": cells[:MAX_REVISIONS]}


def write_companions(
    nb: NotebookNode,
    info: PageInfo,
    html_path: Path,
    out_root: Path,
    browser: str | None = None,
    offered: set[Path] | None = None,
) -> dict[str, Any]:
    """Write the downloads of a report (and its PDF) next to its HTML page.

    Each file is written aside and renamed into place; the PDF only when ``browser`` is given.

    Call it after the page is in place (the PDF prints it). A file the report already ``offered``
    beside its page (the evaluation's working file ``evaluation.<lang>.xlsx``) is not replaced: the
    page's link leads to it. Returns what the manifest records:
    ``outputs`` (relative path -> sha256 and size), ``revisions`` (:func:`revised_figures` against the
    previous ``.csv.zip``) and, when Chromium failed, ``pdf_error``.
    """
    outputs: dict[str, Any] = {}
    out: dict[str, Any] = {"outputs": outputs}
    if {"xlsx", "csv"} & set(info.downloads):
        files = download_files(find_tables(nb) or [], info)
        zip_path = download_path(html_path, "csv")
        old = zip_path.read_bytes() if zip_path.is_file() else None
        out["revisions"] = revised_figures(old, files["csv"])
        for kind, data in files.items():
            path = download_path(html_path, kind)
            if path in (offered or set()):
                continue
            rel, rec = manifest.output_record(path, data, out_root)
            manifest.atomic_write_bytes(path, data)
            outputs[rel] = rec
    if browser is not None:
        path = download_path(html_path, "pdf")
        try:
            print_pdf(html_path, path, browser)
        except PdfError as exc:
            out["pdf_error"] = str(exc)
        else:
            rel = path.relative_to(out_root).as_posix()
            outputs[rel] = {"sha256": manifest.sha256_file(path), "bytes": path.stat().st_size}
    return out
