"""The scanner over rendered outputs: planted small counts and derivable cells are found, clean pages
give nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.publishing.publish import Ledger, publish_chart_data, publish_table
from corett_lib.publishing.scanner import scan_html, scan_outputs

ROOT = Path(__file__).resolve().parent.parent

HEAD = (
    '<tr><th data-corett-role="label">Form</th><th data-corett-role="count">Victims</th>'
    '<th data-corett-role="derived">Share</th><th data-corett-role="label">Year</th></tr>'
)


def _table(rows: str, relations: list | None = None, k: int = 5) -> str:
    rel = json.dumps(relations or []).replace('"', "&quot;")
    return (
        f'<table data-corett-table="forms" data-corett-k="{k}" data-corett-relations="{rel}">'
        f"<thead>{HEAD}</thead><tbody>{rows}</tbody></table>"
    )


CLEAN_ROWS = (
    "<tr><td>Sexual</td><td>30</td><td>75.0%</td><td>2019</td></tr>"
    '<tr><td>Labour</td><td data-corett-status="complementary">suppressed</td>'
    '<td data-corett-status="derived">suppressed</td><td>2019</td></tr>'
    '<tr><td>Other</td><td data-corett-status="primary">&lt;5</td>'
    '<td data-corett-status="derived">suppressed</td><td>2019</td></tr>'
    "<tr><td>Total</td><td>40</td><td>100.0%</td><td>2019</td></tr>"
)
RELATIONS = [{"t": [3, 1], "p": [[0, 1], [1, 1], [2, 1]], "complete": True}]


def test_clean_hand_made_table_has_no_findings() -> None:
    assert scan_html(_table(CLEAN_ROWS, RELATIONS), 5) == []


def test_planted_small_count_is_found_and_rates_and_years_are_not() -> None:
    rows = CLEAN_ROWS.replace("<td>30</td><td>75.0%</td>", "<td>3</td><td>3</td>")
    findings = scan_html(_table(rows, RELATIONS), 5, "GTM/annual.en.html")
    assert [(f.kind, f.where, f.value) for f in findings] == [
        ("small_count", "table forms, row 1, column 'Victims'", "3")
    ]
    assert str(findings[0]).startswith("GTM/annual.en.html: [small_count]")


def test_margin_derivable_cell_is_found() -> None:
    # Labour shown as 7: the <5 is 40 - 30 - 7 = 3.
    rows = CLEAN_ROWS.replace(
        '<td data-corett-status="complementary">suppressed</td>', "<td>7</td>"
    )
    findings = scan_html(_table(rows, RELATIONS), 5)
    assert [(f.kind, f.where, f.message) for f in findings] == [
        (
            "derivable_cell",
            "table forms, row 3, column 'Victims'",
            "suppressed cell can be derived from the totals: it is 3",
        )
    ]


def test_two_small_cells_adding_to_two_are_found() -> None:
    rows = CLEAN_ROWS.replace(
        '<td data-corett-status="complementary">suppressed</td>', "<td>&lt;5</td>"
    ).replace("<td>30</td>", "<td>38</td>")
    kinds = [f.kind for f in scan_html(_table(rows, RELATIONS), 5)]
    assert kinds == ["derivable_cell", "derivable_cell"]


def test_incomplete_relation_remainder_is_found() -> None:
    rows = (
        "<tr><td>Sexual</td><td>30</td><td></td><td>2019</td></tr>"
        "<tr><td>Labour</td><td>8</td><td></td><td>2019</td></tr>"
        "<tr><td>Total</td><td>40</td><td></td><td>2019</td></tr>"
    )
    rel = [{"t": [2, 1], "p": [[0, 1], [1, 1]], "complete": False}]
    findings = scan_html(_table(rows, rel), 5)
    assert [(f.kind, f.value) for f in findings] == [("derivable_remainder", "2")]


def test_k_of_a_table_below_the_build_is_found() -> None:
    findings = scan_html(_table(CLEAN_ROWS, RELATIONS, k=5), 11)
    assert findings[0].kind == "k_below_build"


def test_unmarked_table_is_found_and_exempt_or_ledger_tables_are_not() -> None:
    assert [f.kind for f in scan_html("<table><tr><td>3</td></tr></table>", 5)] == [
        "unmarked_table"
    ]
    assert scan_html('<table data-corett-exempt="layout"><tr><td>3</td></tr></table>', 5) == []
    ledger = Ledger(k=5)
    publish_table(pd.DataFrame({"n": [3, 4, 40]}), table_id="t", count_columns=["n"], ledger=ledger)
    assert scan_html(ledger.to_html("en"), 5) == []


def test_published_tables_pass_the_scanner() -> None:
    df = pd.DataFrame(
        {
            "sex": ["Female", "Male", "Total"],
            "Children": [3, 20, 23],
            "Adults": [10, 30, 40],
            "Total": [13, 50, 63],
        }
    )
    for k in (5, 11):
        pub = publish_table(
            df,
            table_id="sa",
            count_columns=["Children", "Adults"],
            row_total="Total",
            total_row={"sex": "Total"},
            k=k,
        )
        assert scan_html(pub.to_html(), k) == []


def test_chart_data_with_a_small_count_is_found() -> None:
    payload = {"chart": "trend", "k": 5, "count_fields": ["n"], "values": [{"year": 2019, "n": 3}]}
    page = (
        f'<script type="application/json" data-corett-chart="trend">{json.dumps(payload)}</script>'
    )
    assert [f.kind for f in scan_html(page, 5)] == ["chart_small_count"]
    payload["values"] = [{"year": 2019, "n": 30, "n_status": "complementary"}]
    page = (
        f'<script type="application/json" data-corett-chart="trend">{json.dumps(payload)}</script>'
    )
    assert [f.kind for f in scan_html(page, 5)] == ["chart_suppressed_value"]


def test_vegalite_spec_without_usermeta_is_found_and_with_it_is_checked() -> None:
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"year": 2019, "n": 3}]},
        "mark": "bar",
    }
    page = f"<script>vegaEmbed('#c', {json.dumps(spec)});</script>"
    assert [f.kind for f in scan_html(page, 5)] == ["unmarked_chart"]
    spec["usermeta"] = {"corett": {"chart": "c", "k": 5, "count_fields": ["n"]}}
    page = f"<script>vegaEmbed('#c', {json.dumps(spec)});</script>"
    assert [f.kind for f in scan_html(page, 5)] == ["chart_small_count"]


def _svg_page(df: pd.DataFrame) -> str:
    from corett_lib.batch.render import chart_svg

    cd = publish_chart_data(df, chart_id="trend", count_columns=["n"])
    spec = {
        "data": {"values": cd.records()},
        "mark": "bar",
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "n", "type": "quantitative", "title": "Victims"},
        },
        "usermeta": cd.usermeta({"n": "Victims"}),
    }
    return f"<figure>{chart_svg(spec)}{cd.html_data({'n': 'Victims'})}</figure>"


def test_published_chart_svg_is_clean_and_a_planted_mark_is_found() -> None:
    page = _svg_page(pd.DataFrame({"year": [2018, 2019], "n": [3, 40]}))
    assert "Victims: 40" in page and "Victims: 3" not in page
    assert scan_html(page, 5) == []
    planted = page.replace("Victims: 40", "Victims: 3")
    assert [f.kind for f in scan_html(planted, 5)] == ["chart_small_count"]
    bare = page.split("<script")[0]
    assert [f.kind for f in scan_html(bare, 5)] == ["unmarked_chart"]


def test_scan_outputs_walks_the_folder_and_skips_failed_and_validation(tmp_path: Path) -> None:
    bad = "<table><tr><td>3</td></tr></table>"
    (tmp_path / "2019" / "GTM").mkdir(parents=True)
    (tmp_path / "2019" / "GTM" / "annual.en.html").write_text(bad, encoding="utf-8")
    for skipped in ("_failed", "validation"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.html").write_text(bad, encoding="utf-8")
    findings = scan_outputs(tmp_path, 5)
    assert [(f.file, f.kind) for f in findings] == [("2019/GTM/annual.en.html", "unmarked_table")]


@pytest.mark.slow
def test_full_build_has_no_disclosure_findings(tmp_path: Path) -> None:
    """Build a representative subset of the default matrix (or scan ``$CORETT_SCAN_OUT`` if set) and
    fail on any finding.

    The default matrix is 480 reports (every member + CORETT, 2017-2022, four reports, two
    languages; 7-9 minutes with two workers on two cores), so this test builds one year of it:
    every member and CORETT, 2019 (the year with the most sources: UNODC, CORETT's infographics,
    monitoring data), every report, both languages (60 reports). Scan a full build with
    ``CORETT_SCAN_OUT``.
    """
    from corett_lib.core import config

    k = config.build_matrix().disclosure_k
    out = os.environ.get("CORETT_SCAN_OUT")
    if not out:
        out = str(tmp_path / "outputs")
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "False", "CORETT_CACHE": str(tmp_path / "c")}
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "corett_lib.cli.main",
                "build",
                "--out",
                out,
                "--jobs",
                "2",
                "--year",
                "2019",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    pages = list(Path(out).glob("**/*.html"))
    assert pages, f"no rendered page under {out}"
    findings = scan_outputs(out, k)
    assert findings == [], "\n".join(str(f) for f in findings[:50])


def test_corett_scan_command_exits_1_on_findings_and_0_when_clean(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from corett_lib.cli.main import main

    page = tmp_path / "2019" / "GTM" / "annual.en.html"
    page.parent.mkdir(parents=True)
    page.write_text(_table(CLEAN_ROWS, RELATIONS), encoding="utf-8")
    clean = CliRunner().invoke(main, ["scan", "--out", str(tmp_path), "--k", "5"])
    assert clean.exit_code == 0, clean.output
    assert "0 finding(s) in 1 page(s)" in clean.output
    page.write_text(_table(CLEAN_ROWS.replace("<td>30</td>", "<td>3</td>"), []), encoding="utf-8")
    dirty = CliRunner().invoke(main, ["scan", "--out", str(tmp_path), "--k", "5"])
    assert dirty.exit_code == 1 and "[small_count]" in dirty.output


def test_total_row_without_relations_is_found() -> None:
    findings = scan_html(_table(CLEAN_ROWS, []), 5)
    assert [(f.kind, f.where) for f in findings] == [("undeclared_total", "table forms, row 4")]


def test_second_chart_without_data_is_found() -> None:
    page = _svg_page(pd.DataFrame({"year": [2018, 2019], "n": [3, 40]}))
    bare_second = page.split("<script")[0]
    findings = scan_html(page + bare_second, 5)
    assert [(f.kind, f.value) for f in findings] == [
        ("unmarked_chart", "2 chart(s), 1 with published data")
    ]


def test_range_cell_is_read_as_its_bounds() -> None:
    # 30 + 5..8 + <5 = 40 leaves the <5 cell between 2 and 4: not pinned, no finding
    rows = CLEAN_ROWS.replace(
        '<td data-corett-status="complementary">suppressed</td>', "<td>5–8</td>"
    )
    assert scan_html(_table(rows, RELATIONS), 5) == []
    # 30 + 6–6 + <5 = 40 pins the <5 cell at 4
    pinned = rows.replace("<td>5–8</td>", "<td>6–6</td>")
    assert [f.kind for f in scan_html(_table(pinned, RELATIONS), 5)] == ["derivable_cell"]
