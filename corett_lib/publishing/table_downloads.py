"""Downloads next to a report page: ``<report>.<lang>.xlsx`` and ``<report>.<lang>.csv.zip``.

The tables come from the publishing function and nowhere else:

1. in the report's kernel, every table shown goes through :func:`corett_lib.publishing.publish.publish_table`
   (disclosure control); :func:`table_payload` turns it into plain JSON with
   :func:`~corett_lib.publishing.publish.export_frame` (shown counts as numbers, suppressed cells as
   their display text ``<5`` / "suppressed", formula-like text made inert);
2. the report emits the payloads of all its tables once (MIME type :data:`MIME_TYPE`, invisible on the
   page; see :func:`corett_lib.reporting.context.with_downloads`);
3. the build reads them from the executed notebook and writes the workbook and the zip with
   :func:`workbook_bytes` and :func:`csv_zip_bytes`, which pass every text cell through
   :func:`~corett_lib.publishing.publish.neutralize` again and write text cells as text.

Each sheet (and the zip's ``README.txt``) is headed with the table's title, the report, the source and
the notes (what disclosure control suppressed, at which threshold). Both files are deterministic: the
same tables give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from corett_lib.core import i18n
from corett_lib.publishing.publish import PublishedTable, export_frame, neutralize, plain_value

#: MIME type of the tables payload a report emits for its downloads.
MIME_TYPE = "application/vnd.corett.downloads+json"
PAYLOAD_VERSION = 1
TABLES_JSON = "tables.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the zip's bytes depend on its content only
_XLSX_CREATED = datetime(1980, 1, 1)  # likewise for the workbook's creation date


_DECIMALS = re.compile(r"\d\.(\d+)")


def _as_shown(value: Any, shown: Any) -> Any:
    """Return a figure rounded to the decimals the page shows (``2.54``, not ``2.5374…``).

    One fact, one
    reading on the page and in the download.
    """
    value = plain_value(value)
    if isinstance(value, float) and not value.is_integer():
        m = _DECIMALS.search(str(shown))
        return round(value, len(m.group(1)) if m else 0)
    return value


def _source_column(published: PublishedTable) -> str | None:
    names = {i18n.t("label.source", lang).casefold() for lang in i18n.LANGUAGES} | {"source"}
    for column, role in published.roles.items():
        if role == "label" and str(column).strip().casefold() in names:
            return str(column)
    return None


def table_payload(published: PublishedTable) -> dict[str, Any]:
    """Return a published table as the JSON its downloads are written from.

    Figures are rounded as the page shows them.

    Keys: ``id``, ``title``, ``k``, ``columns``, ``roles`` (``label``, ``count`` or ``derived`` per
    column), ``rows`` (values of
    :func:`~corett_lib.publishing.publish.export_frame`, machine form), ``sources`` (the distinct
    values of the table's source column, if it has one) and ``suppressed`` (cells suppressed).
    """
    frame = export_frame(published, machine=True)
    source_col = _source_column(published)
    sources: list[str] = []
    if source_col is not None:
        sources = [str(s) for s in dict.fromkeys(published.display[source_col]) if str(s).strip()]
    return {
        "id": published.table_id,
        "title": published.title,
        "k": published.k,
        "columns": [str(c) for c in frame.columns],
        "roles": [published.roles.get(c, "label") for c in frame.columns],
        "rows": [
            [_as_shown(v, shown) for v, shown in zip(row, shown_row, strict=True)]
            for row, shown_row in zip(
                frame.itertuples(index=False, name=None),
                published.display.itertuples(index=False, name=None),
                strict=True,
            )
        ],
        "sources": sources,
        "suppressed": published.entry.suppressed if published.entry is not None else None,
    }


def payload(tables: Sequence[PublishedTable]) -> dict[str, Any]:
    """Return the downloads payload of a report.

    Its published tables, in publication order, the
    last publication of each table id.
    """
    latest: dict[str, PublishedTable] = {}
    for t in tables:
        latest.pop(t.table_id, None)
        latest[t.table_id] = t
    return {"version": PAYLOAD_VERSION, "tables": [table_payload(t) for t in latest.values()]}


@dataclass(frozen=True)
class Heading:
    """What heads every sheet: the report's title and the sources to name when a table has none."""

    report_title: str
    lang: str
    default_sources: tuple[str, ...] = ()


def _notes(table: Mapping[str, Any], lang: str) -> str:
    k, n = table.get("k"), table.get("suppressed")
    if n:
        return i18n.t("page.sheet_suppressed", lang, n=n, k=k)
    return i18n.t("page.sheet_nothing_suppressed", lang, k=k)


def _heading_rows(table: Mapping[str, Any], head: Heading) -> list[list[str]]:
    sources = list(table.get("sources") or []) or list(head.default_sources)
    return [
        [str(table.get("title") or table.get("id"))],
        [i18n.t("page.sheet_report", head.lang), head.report_title],
        [i18n.t("page.sheet_source", head.lang), "; ".join(sources) or "–"],
        [i18n.t("page.sheet_notes", head.lang), _notes(table, head.lang)],
    ]


def _cell(value: Any) -> Any:
    value = plain_value(value)
    return neutralize(value) if isinstance(value, str) else value


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_names(tables: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return one valid, unique Excel sheet name (≤ 31 characters) per table, from its id.

    Examples
    --------
    >>> sheet_names([{"id": "victims by sex/age"}, {"id": "victims by sex/age"}])
    ['victims by sex_age', 'victims by sex_age (2)']
    """
    out: list[str] = []
    for t in tables:
        base = _SHEET_BAD.sub("_", str(t.get("id") or "table")).strip("'") or "table"
        name, n = base[:31], 2
        while name.casefold() in {o.casefold() for o in out}:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        out.append(name)
    return out


def workbook_bytes(tables: Sequence[Mapping[str, Any]], head: Heading) -> bytes:
    """Return the ``.xlsx`` of a report.

    A contents sheet, then one sheet per table headed with its title, report, source and notes.
    Text cells are written as text, never as formulas, links or numbers (XlsxWriter with
    ``strings_to_formulas`` off); text that starts like a formula also carries the apostrophe of
    :func:`~corett_lib.publishing.publish.neutralize`. XlsxWriter stamps the zip's members with a
    fixed date and the creation date is fixed here, so the same tables give the same bytes.
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties({"author": "CORETT workbench", "created": _XLSX_CREATED})
    bold = wb.add_format({"bold": True})
    contents = wb.add_worksheet(i18n.t("page.sheet_contents", head.lang)[:31])
    contents.write_string(0, 0, head.report_title, bold)
    names = sheet_names(tables)
    for i, (name, table) in enumerate(zip(names, tables, strict=True), start=1):
        contents.write_string(i, 0, name)
        contents.write_string(i, 1, str(table.get("title") or ""))
        ws = wb.add_worksheet(name)
        rows = _heading_rows(table, head)
        for r, row in enumerate(rows):
            _write_row(ws, r, row, bold if r == 0 else None)
        _write_row(ws, len(rows) + 1, table["columns"], bold)
        for r, row in enumerate(table["rows"], start=len(rows) + 2):
            _write_row(ws, r, row)
    wb.close()
    return buf.getvalue()


def _write_row(ws: Any, r: int, values: Sequence[Any], fmt: Any = None) -> None:
    for c, value in enumerate(values):
        value = _cell(value)
        if value is None:
            continue
        if isinstance(value, str):
            ws.write_string(r, c, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        else:
            ws.write_number(r, c, value, fmt)


def _csv_text(rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def csv_zip_bytes(tables: Sequence[Mapping[str, Any]], head: Heading) -> bytes:
    """Return the ``.csv.zip`` of a report.

    One UTF-8 CSV per table (with BOM, header row first, so it
    opens as a table), a ``README.txt`` with each file's title, report, source and notes, and
    ``tables.json`` (the same tables with their column roles, for machines and for
    :func:`read_tables`).
    """
    names = sheet_names(tables)
    k = tables[0].get("k", 5) if tables else 5
    readme = [
        i18n.t("page.readme", head.lang, title=head.report_title, k=k, k_minus_one=int(k) - 1),
        "",
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, table) in enumerate(zip(names, tables, strict=True), start=1):
            file_name = f"{i:02d}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.csv"
            rows = [[_cell(c) for c in table["columns"]]]
            rows += [[_cell(v) for v in row] for row in table["rows"]]
            info = zipfile.ZipInfo(file_name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, "\ufeff" + _csv_text(rows))
            readme.append(file_name)
            readme.extend("  " + " ".join(str(x) for x in r) for r in _heading_rows(table, head))
            readme.append("")
        info = zipfile.ZipInfo("README.txt", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, "\n".join(readme))
        clean = [
            {
                **t,
                "columns": [_cell(c) for c in t["columns"]],
                "rows": [[_cell(v) for v in r] for r in t["rows"]],
            }
            for t in tables
        ]
        info = zipfile.ZipInfo(TABLES_JSON, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(
            info,
            json.dumps(
                {"version": PAYLOAD_VERSION, "tables": clean},
                ensure_ascii=False,
                indent=1,
                sort_keys=True,
            ),
        )
    return out.getvalue()


def read_tables(data: bytes) -> list[dict[str, Any]]:
    """Return the tables of a ``.csv.zip`` written by :func:`csv_zip_bytes` (its ``tables.json``).

    Raises
    ------
    ValueError
        When ``data`` is not such a zip.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            doc = json.loads(z.read(TABLES_JSON).decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a CORETT tables zip: {exc}") from None
    return list(doc.get("tables", []))


def read_csv_zip(data: bytes) -> dict[str, list[list[str]]]:
    """Return the tables of a ``.csv.zip`` written by :func:`csv_zip_bytes`: file name -> rows (text)."""
    out: dict[str, list[list[str]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".csv"):
                text = z.read(name).decode("utf-8-sig")
                out[name] = list(csv.reader(io.StringIO(text)))
    return out
