"""The quality report's sections, the ``corett quality`` command and (slow) the built report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corett_lib.cli.main import main
from corett_lib.reporting import quality
from corett_lib.reporting.context import open_context


def _cli(args: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(main, args)
    return res.exit_code, res.output


# --------------------------------------------------------------------------- sections


def test_regional_scorecard_shows_every_member_and_the_missing_ones():
    ctx = open_context("CORETT", 2019, "en")
    html = quality.scorecard(ctx).html
    # Mexico, Nicaragua and Panama publish no UNODC headline figure for 2019.
    for name in ("Belize", "Mexico", "Nicaragua", "Panama", "Dominican Republic"):
        assert f"<td>{name}</td>" in html
    assert html.count("0 / 3") == 3 and html.count("3 / 3") == 6
    assert "0% (below 80%)" in html


def test_flagged_figures_carry_rule_evidence_and_source_row_through_the_publisher():
    ctx = open_context("MEX", 2020, "es")
    html = quality.flags(ctx).html
    assert 'data-corett-table="quality_flags"' in html  # went through publish_table
    # Victims of sexual exploitation 2020: 527 between <5 (2019) and 31 (2021), export row 27693.
    assert "527" in html and "17.0 veces sus vecinos (2019: &lt;5; 2021: 31)" in html
    assert "raw/unodc_data_glotip.xlsx, fila 27693" in html
    assert [e.table_id for e in ctx.ledger.entries] == ["quality_flags"]


def test_corrected_figures_show_their_correction():
    ctx = open_context("MEX", 2015, "en")
    html = quality.flags(ctx).html
    assert "unodc-mex-2015-victims-total-is-the-year" in html and "1,679" in html


def test_questions_for_a_member_without_figures():
    ctx = open_context("MEX", 2019, "en")
    text = quality.questions(ctx).text
    assert (
        "No figure for Detected trafficking victims, Persons prosecuted, Persons convicted in 2019"
        in text
    )


def test_external_comparison_of_the_year():
    ctx = open_context("CORETT", 2017, "en")
    html = quality.external(ctx).html
    assert "1,080" in html and "970" in html and "11.3" in html  # Mexico 2017


# --------------------------------------------------------------------------- the command


def test_cli_quality_json_lists_the_flags_with_their_evidence():
    code, out = _cli(["quality", "--country", "MEX", "--year", "2020", "--format", "json"])
    assert code == 0, out
    rows = json.loads(out)
    slip = [r for r in rows if r["rule"] == "an order of magnitude away from its neighbours"]
    assert len(slip) == 1
    assert (slip[0]["value"], slip[0]["source_row"]) == ("527", 27693)
    assert slip[0]["evidence_data"] == {"neighbours": {"2019": "<5", "2021": "31"}, "ratio": 17}
    assert {r["iso3"] for r in rows} == {"MEX"} and {r["year"] for r in rows} == {2020}
    code, out = _cli(["quality", "--country", "MEX", "--year", "2015", "--format", "json"])
    corrected = [r for r in json.loads(out) if r["correction"]]
    assert {(r["value"], r["value_text"]) for r in corrected} == {("1,679", "2,015")}


def test_cli_quality_csv_and_scorecard():
    code, out = _cli(["quality", "--show", "scorecard", "--year", "2019", "--format", "csv"])
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("iso3,reported,expected,completeness")
    # SLV 2019, between indicators: 9 totals whose parts the one rule of parts and totals marks (e.g.
    # persons convicted <5, Sexual exploitation 25 and Other forms 7 each above it; victims Unknown
    # sex and age 15, Forced labour 45 above it).
    assert "MEX,0,3,0.0,0,0,0,0,0" in lines and "SLV,3,3,1.0,0,1,9,2,0" in lines


def test_cli_quality_usage_errors():
    assert _cli(["quality", "--country", "XXX"])[0] == 2
    assert _cli(["quality", "--show", "questions", "--year", "2019"])[0] == 2
    assert _cli(["quality", "--show", "scorecard"])[0] == 2


def test_cli_quality_bad_data_folder_exits_1(tmp_path: Path):
    code, _ = _cli(["quality", "--data", str(tmp_path)])
    assert code == 1


# --------------------------------------------------------------------------- the built report


@pytest.mark.slow
def test_quality_report_builds_in_both_languages_and_passes_the_scanner(tmp_path: Path):
    out = tmp_path / "out"
    args = ["build", "--country", "MEX", "--country", "CORETT", "--year", "2015"]
    code, output = _cli([*args, "--report", "quality", "--jobs", "1", "--out", str(out)])
    assert code == 0, output
    es = (out / "2015" / "MEX" / "quality.es.html").read_text(encoding="utf-8")
    en = (out / "2015" / "CORETT" / "quality.en.html").read_text(encoding="utf-8")
    assert "Revisión de la calidad de los datos, México, 2015" in es
    assert "(UNODC: 1,679)" in es and "Publicada como 2,015" in es
    assert "Questions to send back" in en and "inconsistent with the previous years" in en
    assert _cli(["scan", "--out", str(out)])[0] == 0


def test_quality_is_in_the_default_matrix_with_its_title_and_warm_up():
    from corett_lib.batch import build
    from corett_lib.batch.build import Job

    jobs = build.resolve_matrix()
    assert (
        Job(2019, "CORETT", "quality", "es") in jobs and Job(2022, "BLZ", "quality", "en") in jobs
    )
    assert (
        build.report_title(Job(2019, "GTM", "quality", "es"))
        == "CORETT · Revisión de la calidad de los datos · GTM · 2019"
    )
    assert "corett_lib.reporting.quality" in build.WARM_UP


def test_every_report_of_the_default_matrix_renders_its_sections():
    from corett_lib.core import config

    for country in (*config.members(), "CORETT"):
        for year in range(2017, 2023):
            for lang in ("en", "es"):
                ctx = open_context(country, year, lang)
                page = quality.title(ctx) + quality.scorecard(ctx) + quality.flags(ctx)
                page = page + quality.external(ctx) + quality.questions(ctx) + quality.method(ctx)
                assert page.html.count("<h2") == 5, (country, year, lang)


def test_trend_charts_ring_the_flagged_values_and_publish_their_data():
    ctx = open_context("MEX", 2015, "en")
    block = quality.trends(ctx)
    assert block is not None
    # Victims: 2015 (1,679 after the declared correction) is ringed; prosecuted also rings 2016 (839,
    # an extreme outlier).
    assert (
        "Detected trafficking victims rose from 56 in 2008 to 247 in 2022. Lowest 47 in 2009, "
        "highest 1,679 in 2015. Ringed: the values of 2015, flagged by the data-quality review."
        in block.text
    )
    assert "Ringed: the values of 2015, 2016, flagged" in block.text
    assert (
        block.html.count("<svg") == 4 and block.html.count('data-corett-chart="quality_trend_') == 4
    )
    assert [e.table_id for e in ctx.ledger.entries] == [f"quality_trend_{i}" for i in range(4)]
    assert quality.trends(open_context("CORETT", 2015, "en")) is None


def test_trend_chart_without_flags_is_unchanged():
    import pandas as pd

    from corett_lib.reporting import charts

    df = pd.DataFrame({"year": [2019, 2020], "value": [10, 12], "suppressed": [False, False]})
    plain, text = charts.trend_chart(df, lang="es", title="T", y_title="Y")
    marked, text2 = charts.trend_chart(
        df.assign(flag=[False, True]), lang="es", title="T", y_title="Y", flagged="flag"
    )
    assert len(marked.layer) == len(plain.layer) + 1 and "Con un círculo" not in text
    assert text2 == text + " Con un círculo: los valores de 2020, señalados por la revisión de " + (
        "calidad de los datos."
    )


def test_cli_quality_reads_the_data_folder_given():
    good = Path(__file__).parent / "fixtures" / "good"
    code, out = _cli(["quality", "--data", str(good), "--format", "json"])
    assert code == 0, out
    rows = json.loads(out)
    # The fixture's Guatemala 2019: UNODC 120 against CORETT 434 (+261.7 %), flagged on both.
    assert sorted(
        (r["source"], r["value"], r["evidence_data"]["difference_pct"]) for r in rows
    ) == [
        ("CORETT", "434", 261.7),
        ("UNODC", "120", 261.7),
    ]
