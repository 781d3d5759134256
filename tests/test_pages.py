"""Report pages people can move around, cite, print and reuse (issue 16): the page template, the
navigation and identity block, the downloads, the changes page, the index and the PDF.

Figures are real: Guatemala 2019 in the shipped UNODC GLOTIP export (detected victims by form of
exploitation: forced labour 5, sexual exploitation 137, total 434; 371 in 2018).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from nbformat.v4 import new_code_cell, new_notebook, new_output

from corett_lib.batch import changes, extras, page, pdf
from corett_lib.batch.index_page import render_index
from corett_lib.batch.render import export_html, offline_violations
from corett_lib.core import paths
from corett_lib.publishing import table_downloads as downloads
from corett_lib.publishing.publish import Ledger, PublishedTable, publish_table
from corett_lib.publishing.scanner import scan_html

MEDIABOX = re.compile(rb"/MediaBox\s*\[([^\]]*)\]")
STAMP = page.new_stamp(datetime(2026, 12, 1, 2, 0, 0, tzinfo=UTC))


def _forms(lang: str = "en", k: int = 5, label: str = "Sexual exploitation") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Form": ["Forced labour", label, "Total"],
            "Detected victims": [5, 137, 434],
            "Source": ["UNODC (GLOTIP)"] * 3,
        }
    )


def _published(k: int = 5, label: str = "Sexual exploitation") -> PublishedTable:
    return publish_table(
        _forms(label=label),
        table_id="victims_form",
        title="Detected victims by form of exploitation, Guatemala, 2019",
        count_columns=["Detected victims"],
        total_row={"Form": "Total"},
        k=k,
        ledger=Ledger(k=k),
    )


@pytest.fixture(scope="module")
def info() -> page.PageInfo:
    pages = page.PageSet(
        STAMP,
        page.data_edition(paths.data_dir()),
        "0123456789abcdef",
        [(2019, "GTM", r, lg) for r in ("annual", "sdg") for lg in ("en", "es")],
        pdf=True,
    )
    return pages.info(2019, "GTM", "annual", "en")


@pytest.fixture(scope="module")
def report_page(info: page.PageInfo) -> str:
    cell = new_code_cell("annual.headline(ctx)")
    table = _published().to_html()
    cell.outputs = [
        new_output(
            "execute_result",
            data={"text/html": f"<h1>Annual report</h1><h2>Headline figures</h2>{table}"},
            execution_count=1,
        ),
        new_output("display_data", data={"text/html": "<h2>Trend</h2><p>434 in 2019</p>"}),
    ]
    return export_html(new_notebook(cells=[cell]), title="CORETT · Annual report", info=info)


# --------------------------------------------------------------------------- the page


def test_stamp_is_made_once_and_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764554400")  # 2025-12-01T02:00:00Z
    stamp = page.new_stamp()
    assert stamp.built_at == "2025-12-01T02:00:00+00:00"
    assert stamp.run_id.startswith("20251201T020000Z-")


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _link(html: str, href: str) -> Tag:
    found = _soup(html).find("a", href=href)
    assert isinstance(found, Tag), href
    return found


def test_page_is_slim_offline_and_has_phone_and_print_rules(report_page: str) -> None:
    assert len(report_page.encode("utf-8")) < 30_000  # the chrome; the old page was 263 KB of CSS
    viewport = _soup(report_page).find("meta", attrs={"name": "viewport"})
    assert (
        isinstance(viewport, Tag) and viewport["content"] == "width=device-width, initial-scale=1"
    )
    assert "@page { size: A4" in report_page and "counter(page)" in report_page
    assert "break-inside: avoid" in report_page
    assert "jp-Notebook" not in report_page and "<script" not in report_page
    assert offline_violations(report_page) == []


def test_page_has_landmarks_navigation_and_table_of_contents(report_page: str) -> None:
    soup = _soup(report_page)
    assert soup.find("main", id="content") and soup.find("header") and soup.find("footer")
    assert _link(report_page, "../../index.html").text == "All reports"
    twin = _link(report_page, "annual.es.html")
    assert (twin.text, twin["lang"], twin["hreflang"]) == ("Leer en español", "es", "es")
    assert _link(report_page, "sdg.en.html").text == "SDG alignment, Guatemala, 2019"
    assert "evaluation.en.html" not in report_page  # not in this output folder: no dead link
    toc = soup.find("nav", class_="toc")
    assert isinstance(toc, Tag) and toc["aria-label"] == "Contents"
    assert [a["href"] for a in toc.find_all("a")] == ["#s-headline-figures", "#s-trend"]
    assert soup.find("h2", id="s-trend").text == "Trend"  # type: ignore[union-attr]


def test_page_links_its_downloads(report_page: str) -> None:
    for name in ("annual.en.xlsx", "annual.en.csv.zip", "annual.en.pdf"):
        assert _link(report_page, name).has_attr("download")


def test_tables_scroll_inside_the_page_and_stay_scannable(report_page: str) -> None:
    box = _soup(report_page).find("table").parent  # type: ignore[union-attr]
    assert box.name == "div" and box["class"] == ["scroll"] and box["tabindex"] == "0"
    assert scan_html(report_page, 5) == []  # the disclosure marks survive the wrapping


def test_identity_block_names_the_data_edition_and_how_to_cite(
    report_page: str, info: page.PageInfo
) -> None:
    time = _soup(report_page).find("time")
    assert isinstance(time, Tag) and time["datetime"] == "2026-12-01T02:00:00+00:00"
    assert time.text == "1 December 2026"
    assert STAMP.run_id in report_page and "0123456789ab" in report_page
    assert "Global Report on Trafficking in Persons data" in report_page
    assert "export of 14 April 2025 (accessed 23 November 2026)" in report_page
    assert page.cite_text(info) == (
        "CORETT workbench (2026). Annual report on trafficking in persons, Guatemala, 2019. "
        f"Version 0.1.0, run {STAMP.run_id}, built 1 December 2026. "
        "Data: UNODC; World Bank; open-sdg project; CORETT."
    )
    es = page.PageSet(STAMP, info.edition, None, []).info(2019, "GTM", "annual", "es")
    assert page.cite_text(es).startswith(
        "CORETT workbench (2026). Informe anual sobre trata de personas, Guatemala, 2019."
    ) or "generado el 1 de diciembre de 2026" in page.cite_text(es)


def test_wrap_tables_leaves_nested_tables_in_one_box() -> None:
    html = "<p>a</p><table><tr><td><table><tr><td>1</td></tr></table></td></tr></table><p>b</p>"
    out = page.wrap_tables(html)
    assert out.count('<div class="scroll"') == 1 and out.endswith("</table></div><p>b</p>")


# --------------------------------------------------------------------------- downloads


def test_payload_comes_from_the_publishing_function_with_suppression() -> None:
    table = downloads.table_payload(_published(k=10))
    assert table["columns"] == ["Form", "Detected victims", "Source"]
    assert table["roles"] == ["label", "count", "label"]
    assert table["rows"][0][:2] == ["Forced labour", "<10"]  # 5 < k=10: suppressed
    assert table["rows"][2][:2] == ["Total", 434]
    assert table["sources"] == ["UNODC (GLOTIP)"] and table["suppressed"] >= 1


def _head() -> downloads.Heading:
    return downloads.Heading("Annual report on trafficking in persons, Guatemala, 2019", "en")


def test_workbook_has_one_headed_sheet_per_table_and_inert_formulas() -> None:
    from openpyxl import load_workbook

    tables = [
        downloads.table_payload(_published()),
        {**downloads.table_payload(_published(label='=HYPERLINK("http://x")')), "id": "evil"},
    ]
    data = downloads.workbook_bytes(tables, _head())
    assert data == downloads.workbook_bytes(tables, _head())  # deterministic
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Contents", "victims_form", "evil"]
    ws = wb["victims_form"]
    assert ws["A1"].value == "Detected victims by form of exploitation, Guatemala, 2019"
    assert [ws["A3"].value, ws["B3"].value] == ["Source:", "UNODC (GLOTIP)"]
    assert ws["B4"].value == "Nothing suppressed by disclosure control (threshold 5)."
    assert [c.value for c in ws[6]] == ["Form", "Detected victims", "Source"]
    assert [c.value for c in ws[9]][:2] == ["Total", 434]
    evil = wb["evil"]["A8"]
    assert evil.value == '\'=HYPERLINK("http://x")' and evil.data_type == "s"


def test_csv_zip_is_deterministic_readable_and_documented() -> None:
    tables = [downloads.table_payload(_published())]
    first = downloads.csv_zip_bytes(tables, _head())
    assert first == downloads.csv_zip_bytes(tables, _head())
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == ["01_victims_form.csv", "README.txt", "tables.json"]
    rows = downloads.read_csv_zip(first)["01_victims_form.csv"]
    assert rows[0] == ["Form", "Detected victims", "Source"] and rows[3][:2] == ["Total", "434"]
    readme = zipfile.ZipFile(io.BytesIO(first)).read("README.txt").decode("utf-8")
    assert "counts from 1 to 4 appear as <5" in readme and "Source: UNODC (GLOTIP)" in readme
    assert downloads.read_tables(first)[0]["rows"][1] == [
        "Sexual exploitation",
        137,
        "UNODC (GLOTIP)",
    ]


def test_revised_figures_name_the_cell_old_and_new() -> None:
    old = downloads.csv_zip_bytes([downloads.table_payload(_published())], _head())
    df = _forms()
    df.loc[2, "Detected victims"] = 440
    new_table = publish_table(
        df,
        table_id="victims_form",
        title="Detected victims by form of exploitation, Guatemala, 2019",
        count_columns=["Detected victims"],
        total_row={"Form": "Total"},
    )
    new = downloads.csv_zip_bytes([downloads.table_payload(new_table)], _head())
    rev = extras.revised_figures(old, new)
    assert rev["count"] == 1
    assert rev["cells"][0] == {
        "table": "Detected victims by form of exploitation, Guatemala, 2019",
        "row": "Total · UNODC (GLOTIP)",
        "column": "Detected victims",
        "old": 434,
        "new": 440,
    }
    assert extras.revised_figures(None, new) == {"count": 0, "cells": []}
    assert extras.revised_figures(b"not a zip", new) == {"count": 0, "cells": []}


def test_find_tables_reads_the_payload_the_report_emitted() -> None:
    cell = new_code_cell("x")
    payload = downloads.payload([_published(), _published()])  # same id twice: kept once
    cell.outputs = [
        new_output(
            "display_data", data={"text/html": "<p>ledger</p>", downloads.MIME_TYPE: payload}
        )
    ]
    tables = extras.find_tables(new_notebook(cells=[cell]))
    assert tables is not None and [t["id"] for t in tables] == ["victims_form"]


# --------------------------------------------------------------------------- changes and index


def test_changes_list_added_removed_and_revised_with_the_input(tmp_path) -> None:
    (tmp_path / "2019" / "GTM").mkdir(parents=True)
    (tmp_path / "2019" / "GTM" / "annual.en.html").write_text("x")
    previous = {
        "2019/GTM/annual.en": {"status": "ok", "inputs": {"data_slice": "1", "notebook": "n"}},
        "2019/HND/annual.en": {"status": "ok", "inputs": {}},
    }
    cell = {"table": "T", "row": "Total", "column": "Detected victims", "old": 434, "new": 440}
    current = {
        "builds": [{"run_id": "R0"}, {"run_id": "R1"}],
        "reports": {
            "2019/GTM/annual.en": {
                "status": "ok",
                "outputs": {"2019/GTM/annual.en.html": {}},
                "inputs": {"data_slice": "2", "notebook": "n"},
                "revisions": {"count": 1, "cells": [cell]},
            },
            "2019/HND/annual.en": {"status": "failed"},
            "2019/GTM/annual.es": {"status": "ok", "outputs": {}},
        },
    }
    got = changes.compute(
        previous,
        current,
        ["2019/GTM/annual.en", "2019/GTM/annual.es"],
        ["2019/HND/annual.en"],
        "R1",
        "2026-12-01T02:00:00+00:00",
        tmp_path,
        changes.changed_files({"raw/population.csv": "a"}, {"raw/population.csv": "b"}),
    )
    assert got["added"] == ["2019/GTM/annual.es"]
    assert got["removed"] == ["2019/HND/annual.en"]
    assert got["previous_run_id"] == "R0"
    assert got["revised"]["2019/GTM/annual.en"]["inputs"] == [
        "data_slice",
        "data:raw/population.csv",
    ]
    html = changes.render_changes(got)
    assert "<td>434</td><td>440</td>" in html and "data:raw/population.csv" in html
    assert "Reports added" in html and "Informes añadidos" in html
    assert offline_violations(html) == [] and scan_html(html, 5) == []


def test_index_links_name_what_they_open_and_filter() -> None:
    man = {
        "builds": [{"run_id": "R1", "finished": "2026-12-01T02:00:00+00:00"}],
        "changes": {"run_id": "R1"},
        "reports": {
            f"2019/GTM/annual.{lg}": {
                "status": "ok",
                "parameters": {"year": 2019, "country": "GTM", "report": "annual", "lang": lg},
            }
            for lg in ("en", "es")
        },
    }
    html = render_index(man)
    assert (
        '<a href="2019/GTM/annual.en.html">Annual report, Guatemala, 2019, in English</a>' in html
    )
    assert (
        '<a href="2019/GTM/annual.es.html" lang="es" hreflang="es">'
        "Informe anual, Guatemala, 2019, en español</a>"
    ) in html
    assert "ready" not in html and "listo" not in html
    assert '<meta name="viewport"' in html and "<main>" in html
    assert '<form class="filter" id="filter" hidden' in html and 'name="country"' in html
    assert '<tr data-year="2019" data-country="GTM" data-report="annual">' in html
    assert 'href="changes.html"' in html
    assert offline_violations(html) == [] and scan_html(html, 5) == []


# --------------------------------------------------------------------------- PDF


def test_no_browser_means_no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORETT_CHROMIUM", "")
    assert pdf.find_browser() is None


def test_browser_command_uses_a_fresh_profile_and_no_network_services(tmp_path) -> None:
    cmd = pdf.browser_command(
        "/usr/bin/chromium", tmp_path / "a.html", tmp_path / "a.pdf", tmp_path
    )
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-background-networking",
        "--no-pdf-header-footer",
    ):
        assert flag in cmd
    assert f"--user-data-dir={tmp_path}" in cmd and cmd[-1].startswith("file://")


@pytest.mark.skipif(pdf.find_browser() is None, reason="no Chromium to print with")
def test_pdf_is_a4_with_the_page_printed(report_page: str, tmp_path) -> None:
    html = tmp_path / "annual.en.html"
    html.write_text(report_page, encoding="utf-8")
    size = pdf.print_pdf(html, tmp_path / "annual.en.pdf", pdf.find_browser() or "")
    data = (tmp_path / "annual.en.pdf").read_bytes()
    assert size == len(data) and data.startswith(b"%PDF-")
    boxes = {tuple(round(float(v)) for v in m.split()) for m in MEDIABOX.findall(data)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points, every page
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_citation_and_licence_match_the_package() -> None:
    import tomllib

    import yaml

    from corett_lib import __version__

    cff = yaml.safe_load((paths.PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == __version__
    assert cff["license"] == project["project"]["license"] == "MIT"
    assert (paths.PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_downloaded_rates_read_as_on_the_page() -> None:
    """Guatemala 2019: 434 detected victims, population 17,103,803 (World Bank): 2.54 per 100,000."""
    table = publish_table(
        pd.DataFrame({"Detected victims": [434], "Rate per 100,000": [434 / 17_103_803 * 1e5]}),
        table_id="headline",
        count_columns=["Detected victims"],
        derived={"Rate per 100,000": "Detected victims"},
        formats={"Rate per 100,000": "number:2"},
    )
    assert table.display.iat[0, 1] == "2.54"
    assert downloads.table_payload(table)["rows"] == [[434, 2.54]]


def test_identity_block_leaves_the_approval_checksum_alone(info: page.PageInfo) -> None:
    """Two builds of the same content on different days and commits: same content checksum."""
    from corett_lib.batch import approval

    body = "<h1>Annual report</h1><p>434</p>"
    later = page.PageSet(
        page.new_stamp(datetime(2027, 3, 5, 9, 0, 0, tzinfo=UTC)),
        info.edition,
        "fedcba9876543210",
        [],
    ).info(2019, "GTM", "annual", "en")
    first = f"<html><body>{body}{page.identity_html(info)}</body></html>"
    second = f"<html><body>{body}{page.identity_html(later)}</body></html>"
    assert "1 December 2026" in first and "5 March 2027" in second
    assert approval.content_checksum(first) == approval.content_checksum(second)
    changed = second.replace("export of 14 April 2025", "export of 1 June 2026")
    assert approval.content_checksum(first) != approval.content_checksum(changed)
