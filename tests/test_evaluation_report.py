"""The evaluation page and its working file: illustrative marks on every row, nothing collapsed,
the verdict chart, the working file through the publishing function, causes that fit their dates."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from corett_lib.batch.products import take_file_products
from corett_lib.batch.reproducible import FIXED_TIME
from corett_lib.cli.main import main
from corett_lib.core import config
from corett_lib.core.paths import raw_path
from corett_lib.dataset.illustrative import ILLUSTRATIVE_CAUSES, cause_for, generate_illustrative
from corett_lib.publishing.downloads import PRODUCT_MIME, product_bundle
from corett_lib.publishing.publish import excel_bytes, publish_table
from corett_lib.raw.plans import read_plan_items
from corett_lib.reporting import charts

FIXTURES = Path(__file__).parent / "fixtures"


def test_generated_causes_fit_their_dates() -> None:
    items, _ = read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")
    df = generate_illustrative(items, config.members(), range(2019, 2025), seed=6)
    late = df[df["cause_of_delay"] != ""]
    covid = late[late["cause_of_delay"].str.contains("COVID-19")]
    assert len(covid) > 0
    assert covid["deadline"].min() >= "2020-03-11" and covid["deadline"].max() <= "2022-12-31"
    # every cause fits the deadline it explains
    fits = {c.text: c for c in ILLUSTRATIVE_CAUSES}
    assert all(
        fits[c].fits(d) for c, d in zip(late["cause_of_delay"], late["deadline"], strict=True)
    )
    # a draw whose cause fits keeps it; one that does not gets another (no extra draw)
    assert cause_for(2, "2020-06-01") == "Meetings postponed by COVID-19 restrictions"
    assert cause_for(2, "2019-11-26") != "Meetings postponed by COVID-19 restrictions"


def test_verdict_chart_has_a_text_alternative_and_refuses_unknown_verdicts() -> None:
    df = pd.DataFrame(
        {
            "question_id": ["EQ1", "EQ9", "EQ13"],
            "verdict": ["not_enough_evidence", "items", "items"],
            "marker": ["", "ILLUSTRATIVE", "ILLUSTRATIVE"],
        }
    )
    chart, alt_text = charts.verdict_chart(
        df, lang="es", title="Respuestas", verdicts=["items", "not_enough_evidence"]
    )
    assert alt_text == (
        "Respuestas: una cuadrícula de 3 preguntas por respuesta. Listado: 2 (EQ9, EQ13); "
        "Evidencia insuficiente: 1 (EQ1)."
    )
    spec = chart.to_dict()
    colours = spec["layer"][0]["encoding"]["color"]["scale"]["range"]
    assert colours == [
        charts.VERDICT_COLOURS["items"],
        charts.VERDICT_COLOURS["not_enough_evidence"],
    ]
    with pytest.raises(ValueError, match="yes"):
        charts.verdict_chart(
            df.assign(verdict="yes"),
            lang="en",
            title="x",
            verdicts=["items", "not_enough_evidence"],
        )


def test_working_file_bytes_go_through_the_publishing_function(tmp_path: Path) -> None:
    t = publish_table(
        pd.DataFrame({"q": ["EQ1"], "note": ["=HYPERLINK(1)"]}), table_id="t", count_columns=[]
    )
    wb = openpyxl.load_workbook(io.BytesIO(excel_bytes([("Answers", t)])))
    assert wb.sheetnames == ["Answers"]
    assert [c.value for c in wb["Answers"][2]] == ["EQ1", "'=HYPERLINK(1)"]  # inert text


def test_the_build_takes_products_out_of_the_notebook(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    table = publish_table(pd.DataFrame({"q": ["EQ1"]}), table_id="t", count_columns=[])
    workbook = excel_bytes([("Answers", table)])
    bundle = product_bundle("evaluation.en.xlsx", workbook)
    cell.outputs = [nbformat.v4.new_output("display_data", data={PRODUCT_MIME: bundle})]
    nb.cells.append(cell)
    page = tmp_path / "2019" / "GTM" / "evaluation.en.html"
    [(path, written)] = take_file_products(nb, page).items()
    assert path == page.with_name("evaluation.en.xlsx")
    # the same workbook, with the build's fixed times (same inputs, same bytes)
    assert openpyxl.load_workbook(io.BytesIO(written))["Answers"]["A2"].value == "EQ1"
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(written)).infolist()} == {FIXED_TIME}
    expected = {"name": "evaluation.en.xlsx", "bytes": len(written)}  # the size written
    assert cell.outputs[0]["data"][PRODUCT_MIME] == expected
    with pytest.raises(ValueError, match="not <report>"):
        product_bundle("../../index.html", b"x")
    # a page may only write its own files
    cell.outputs[0]["data"][PRODUCT_MIME] = product_bundle("annual.en.xlsx", b"x")
    with pytest.raises(ValueError, match="not one of its own files"):
        take_file_products(nb, page)
    cell.outputs[0]["data"][PRODUCT_MIME] = {"name": "../x.en.xlsx", "base64": "", "bytes": 0}
    with pytest.raises(ValueError, match="not <report>"):
        take_file_products(nb, page)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_marks_illustrative_rows_and_hides_nothing(tmp_path: Path, lang: str) -> None:
    from corett_lib.reporting import evaluation as er

    e = er.open_evaluation("GTM", 2019, lang)
    sections = (er.title, er.summary, er.dac_frame, er.questions, er.effects, er.followup,
                er.activities, er.targets, er.matrix, er.method)  # fmt: skip
    html = "".join(f(e).html for f in sections)
    mark = "ILLUSTRATIVE" if lang == "en" else "ILUSTRATIVO"
    assert "<details" not in html  # nothing important only in a collapsed element
    summary = er.summary(e).html
    rows = re.findall(r"<tr>(.*?)</tr>", summary.split("<tbody>")[1], re.S)
    assert len(rows) == 26
    illustrative = e.answers.set_index("question_id")["illustrative"]
    for row in rows:
        qid = re.findall(r"<td>((?:EQ|FQ)\d+)</td>", row)[0]
        assert (mark in row) == bool(illustrative[qid]), qid
    assert (
        int(illustrative.sum()) == 15
    )  # 26 questions: 10 need data not collected, EQ1 reads published series
    # statuses read as in the annual report: no target is never "achieved"
    assert ("No target" if lang == "en" else "Sin meta") in er.targets(e).html
    assert ("Achieved" if lang == "en" else "Logrado") not in er.targets(e).html
    # the verdict chart, with its published data for the scanner
    assert 'data-corett-chart="evaluation_verdicts"' in summary and "<svg" in summary
    # every rule is stated in words on the page
    assert "R-NOT-ACHIEVED" in html and ("Lists the indicators behind" in html or lang == "es")

    wb = openpyxl.load_workbook(io.BytesIO(er.working_file_bytes(e)))
    answers = wb.worksheets[0]
    header = [c.value for c in answers[1]]
    assert header[:3] == (
        ["Data", "Id", "Question"] if lang == "en" else ["Datos", "Id", "Pregunta"]
    )
    values = {r[1]: r for r in answers.iter_rows(min_row=2, values_only=True)}
    assert len(values) == 26
    assert values["EQ13"][0] == mark
    block = er.working_file(e)
    assert block._repr_mimebundle_()[PRODUCT_MIME]["name"] == f"evaluation.{lang}.xlsx"


@pytest.mark.slow
def test_without_illustrative_data_nothing_is_marked(tmp_path: Path) -> None:
    from corett_lib.reporting import evaluation as er

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "good", data)
    for name in ("evaluation_questions", "followup_questions", "monitoring_matrix"):
        shutil.copy(raw_path(name), data / "raw")
    (data / "monitoring").mkdir()
    shutil.copy(
        FIXTURES / "monitoring" / "evaluation_gtm_2021.csv", data / "monitoring" / "collected.csv"
    )
    e = er.open_evaluation("GTM", 2021, "es", data=str(data))
    html = "".join(f(e).html for f in (er.title, er.summary, er.questions, er.followup))
    assert not e.illustrative and "ILUSTRATIV" not in html
    assert "Funds arrived late" in html
    assert "Reportados por los miembros" in html


@pytest.mark.slow
def test_the_build_writes_the_working_file_next_to_the_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", "--country", "GTM", "--year", "2019", "--report", "evaluation"]
    result = CliRunner().invoke(main, [*args, "--lang", "es", "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    xlsx = out / "2019" / "GTM" / "evaluation.es.xlsx"
    html = (out / "2019" / "GTM" / "evaluation.es.html").read_text(encoding="utf-8")
    assert '<a href="evaluation.es.xlsx">evaluation.es.xlsx</a>' in html
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Respuestas", "Evidencia", "Acerca de"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs = [o for r in manifest["reports"].values() for o in r.get("outputs", {})]
    assert "2019/GTM/evaluation.es.xlsx" in outputs
    # the executed notebook keeps the file's name, not its bytes
    ipynb = (out / "2019" / "GTM" / "evaluation.es.ipynb").read_text(encoding="utf-8")
    assert '"name": "evaluation.es.xlsx"' in ipynb and '"base64"' not in ipynb


def test_both_languages_share_the_answers_and_another_scope_does_not() -> None:
    from corett_lib.reporting import evaluation

    en = evaluation.open_evaluation(country="GTM", year=2019, lang="en")
    es = evaluation.open_evaluation(country="GTM", year=2019, lang="es")
    assert es.result.answers is not en.result.answers  # each language its own AnswerSet
    assert es.evidence is en.evidence  # ...from the answers computed once
    assert [a.rationale("es") for a in en.result.answers] == es.answers["rationale"].tolist()
    assert es.answers["question"].tolist() != en.answers["question"].tolist()
    other = evaluation.open_evaluation(country="GTM", year=2020, lang="es")
    assert other.evidence is not en.evidence and other.evidence.year == 2020
    region = evaluation.open_evaluation(country="CORETT", year=2019, lang="es")
    assert region.evidence is not other.evidence and region.evidence.country == "CORETT"
