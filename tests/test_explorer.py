"""The analysts' explorer: state -> table, chart and downloads, from the real shipped data.

Expected figures are UNODC's (GLOTIP export of 14 April 2025) as the indicator engine resolves them:
Honduras, detected victims by form of exploitation, 2016–2022.
"""

from __future__ import annotations

import base64
import io
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from corett_lib.apps import explorer as ex
from corett_lib.core import paths

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

HND_FORMS = ex.ExplorerState(
    countries=("HND",), years=(2016, 2022), indicator="victims", disaggregation="form", lang="es"
)


@pytest.fixture(scope="module")
def data() -> ex.ExplorerData:
    return ex.ExplorerData(ex.open_dataset())


@pytest.fixture(scope="module")
def hnd_forms(data: ex.ExplorerData) -> ex.ExplorerView:
    return ex.explore(data, HND_FORMS)


def _cell(view: ex.ExplorerView, year: int, category: str, column: str | None = None) -> str:
    d = view.table.display
    lang = view.state.lang
    col = column or next(c for c in d.columns if c.startswith(ex._col("value", lang)))
    cat = ex._col("category", lang)
    year_col = ex._col("year", lang)
    rows = d[(d[year_col] == str(year)) & (d[cat] == category)]
    assert len(rows) == 1, rows
    return str(rows[col].iloc[0])


def test_honduras_forms_of_exploitation_2016_2022_in_spanish(hnd_forms: ex.ExplorerView) -> None:
    v = hnd_forms
    assert v.title == "Víctimas de trata detectadas, por forma de explotación: Honduras, 2016–2022"
    assert v.chart_kind == "trend"
    assert list(v.table.display.columns) == [
        "País",
        "Año",
        "Categoría",
        "Valor (personas)",
        "Fuente",
        "Miembros que informan",
        "Notas",
        "Revisión de calidad de los datos",
    ]
    assert _cell(v, 2016, "Total") == "83"
    assert _cell(v, 2016, "Trabajo forzoso") == "8"
    assert _cell(v, 2016, "Explotación sexual") == "68"
    assert _cell(v, 2016, "Otras formas de explotación") == "<5"  # UNODC publishes <5
    assert _cell(v, 2017, "Explotación sexual") == "102"
    assert _cell(v, 2021, "Trabajo forzoso") == "52"
    assert _cell(v, 2022, "Explotación sexual") == "45"
    # 2021: 52 + 11 + 37 = 100, the total is 101; a remainder of 1 is a hidden small count, so one
    # more part is suppressed (complementary suppression, corett_lib.publishing.disclosure rule 3).
    assert _cell(v, 2021, "Otras formas de explotación") == "suprimido"
    assert v.table.status.loc[21].tolist().count("complementary") == 1
    assert "Trabajo forzoso: aumento de 8 en 2016 a 11 en 2022" in v.alt_text
    # 2021's part is hidden by complementary suppression: not drawn as "fewer than 5" (it is not)
    assert "Suprimido (menos de 5): 2016, 2022" in v.alt_text
    assert v.alt_text.endswith(
        "No se dibujan (véase la tabla): Otras formas de explotación 2021 (suprimido)."
    )


def test_chart_shows_the_numbers_of_the_table(hnd_forms: ex.ExplorerView) -> None:
    frame = hnd_forms.chart_data
    assert sorted(frame["series"].unique()) == [
        "Explotación sexual",
        "Otras formas de explotación",
        "Trabajo forzoso",
    ]
    # the breakdown is charted, the total stays in the table
    assert "Total" not in set(frame["category"])
    small = frame.loc[frame["suppressed"], ["series", "year"]].values.tolist()
    assert small == [
        ["Otras formas de explotación", 2016],
        ["Trabajo forzoso", 2020],
        ["Otras formas de explotación", 2022],
    ]
    assert frame.loc[frame["hidden"], ["series", "year"]].values.tolist() == [
        ["Otras formas de explotación", 2021]
    ]
    assert frame.loc[frame["suppressed"] | frame["hidden"], "value"].isna().all()
    for r in frame.itertuples():
        shown = _cell(hnd_forms, r.year, r.series)
        assert shown == r.text
        if not (r.suppressed or r.hidden):
            assert shown == f"{int(r.value):,}"
    spec = hnd_forms.chart.to_dict()
    values = [d for layer in spec["layer"] for d in [layer.get("data", {})]] + [
        spec.get("data", {})
    ]
    embedded = [rec for d in values for rec in d.get("values", [])]
    # no suppressed value travels in the chart's data
    assert all(rec["_value"] is None for rec in embedded if rec.get("_suppressed"))


def test_threshold_and_language_controls(data: ex.ExplorerData) -> None:
    v10 = ex.explore(data, replace(HND_FORMS, k=10, lang="en"))
    assert _cell(v10, 2016, "Forced labour") == "<10"
    assert _cell(v10, 2017, "Sexual exploitation") == "102"
    assert (
        v10.title == "Detected victims of trafficking, by form of exploitation: Honduras, 2016–2022"
    )
    assert "Counts below 10 are suppressed to protect the people they describe." in v10.notes
    assert "Value (persons)" in v10.table.display.columns


def test_source_control_uses_one_source(data: ex.ExplorerData) -> None:
    state = ex.ExplorerState(countries=("HND", "CORETT"), years=(2017, 2019), lang="en")
    best = ex.explore(data, state).table.display
    corett = ex.explore(data, replace(state, source="CORETT"))
    unodc = ex.explore(data, replace(state, source="UNODC"))
    d_c, d_u = corett.table.display, unodc.table.display
    # UNODC has Honduras 2017 = 154 detected victims, CORETT's infographics 150; best follows precedence
    assert d_u.iloc[0]["Value (persons)"] == "154" and d_u.iloc[0]["Source"] == "UNODC"
    assert d_c.iloc[0]["Value (persons)"] == "150" and d_c.iloc[0]["Source"] == "CORETT"
    assert best.iloc[0]["Value (persons)"] == "154"
    region = d_c[d_c["Country"] == "CORETT (region)"]["Value (persons)"].tolist()
    assert region == ["1,791", "1,437", "1,582"]  # CORETT's published regional figures
    assert data.sources() == ["UNODC", "CORETT"]


def test_one_year_compares_members_and_ratio_follows_its_counts(data: ex.ExplorerData) -> None:
    state = ex.ExplorerState(
        countries=("GTM", "CORETT"), years=(2019, 2019), indicator="victims_rate", lang="es"
    )
    v = ex.explore(data, state)
    assert v.chart_kind == "comparison"
    row = v.table.display.iloc[0]
    assert row["Valor (por cada 100,000 habitantes)"] == "2.54"  # 434 / 17,103,803 * 100,000
    assert (row["Numerador"], row["Denominador"]) == ("434", "17,103,803")
    # a share whose numerator is a regional sum with a <5 in it: the sum is shown as its range
    # (796-802, not "<803"), and the engine computes no ratio from it
    share = ex.explore(
        data,
        ex.ExplorerState(
            countries=("CORETT",), years=(2017, 2017), indicator="minors_share", lang="en"
        ),
    )
    r = share.table.display.iloc[0]
    assert (r["Value (%)"], r["Numerator"], r["Denominator"]) == ("–", "796–802", "1,688")
    assert "no ratio: the numerator is or includes a <5 count" in r["Notes"]
    # no figure is not drawn as "fewer than 5" on a percent axis; the text says "no data"
    assert share.chart_data[["suppressed", "hidden"]].values.tolist() == [[False, False]]
    assert share.chart_data["value"].isna().all()
    assert share.alt_text.endswith("Migrants: no data.")


def test_single_year_breakdown_is_a_bar_chart_and_no_figure_is_said(data: ex.ExplorerData) -> None:
    bar = ex.explore(
        data, ex.ExplorerState(countries=("HND",), years=(2019, 2019), disaggregation="form")
    )
    assert bar.chart_kind == "bar"
    assert (
        "Sexual exploitation: 42; Other forms of exploitation: 36; Forced labour: 8" in bar.alt_text
    )
    empty = ex.explore(
        data,
        ex.ExplorerState(
            countries=("HND",), years=(2019, 2019), disaggregation="form", source="CORETT"
        ),
    )
    assert empty.chart_kind == "empty"
    assert empty.alt_text.endswith("No source has a figure for this choice.")


def test_check_state_names_every_problem_in_the_language(data: ex.ExplorerData) -> None:
    bad = ex.ExplorerState(
        countries=("XXX",),
        years=(2022, 2016),
        indicator="victims_rate",
        disaggregation="form",
        lang="es",
    )
    problems = ex.check_state(data, bad)
    assert len(problems) == 3
    assert problems[0].startswith("No es miembro ni la región: XXX")
    assert problems[1] == "El primer año (2022) es posterior al último (2016)."
    assert problems[2] == "Este indicador no tiene el desglose form (tiene: total)."
    assert ex.check_state(data, ex.ExplorerState(countries=())) == [
        "Choose at least one member or the region."
    ]
    with pytest.raises(ValueError, match="Choose at least one member"):
        ex.explore(data, ex.ExplorerState(countries=()))
    assert ex.check_state(data, HND_FORMS) == []


def test_control_options_follow_the_registry(data: ex.ExplorerData) -> None:
    opts = ex.control_options(data, "es")
    assert ("Honduras", "HND") in opts.countries
    assert opts.countries[-1] == ("CORETT (región)", "CORETT")
    assert [d for _, d in opts.disaggregations["victims"]] == [
        "total",
        "sex",
        "age",
        "sex_age",
        "form",
        "citizenship",
    ]
    assert opts.disaggregations["victims_rate"] == [("Total", "total")]
    assert ("Por forma de explotación", "form") in opts.disaggregations["victims"]
    assert opts.sources[0] == ("La mejor disponible (UNODC, CORETT, en ese orden)", "best")
    assert opts.languages == [("English", "en"), ("Español", "es")]
    assert opts.years == (2003, 2022)
    assert opts.descriptions["k"] == "Suprimir conteos menores de"


def test_downloads_go_through_the_publishing_function(
    hnd_forms: ex.ExplorerView, tmp_path: Path
) -> None:
    import openpyxl

    csv = ex.download_bytes(hnd_forms, "csv")
    assert csv.startswith(b"\xef\xbb\xbf")
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "País,Año,Categoría,Valor (personas),Fuente,Miembros que informan,Notas,"
        "Revisión de calidad de los datos"
    )
    assert "Honduras,2016,Otras formas de explotación,<5,UNODC,1/1,publicado como <5," in lines
    assert "Honduras,2021,Otras formas de explotación,suprimido,UNODC,1/1,," in lines
    assert "Honduras,2017,Explotación sexual,102,UNODC,1/1,," in lines
    # the data-quality review's flags of a figure, in the page's language
    assert "Honduras,2016,Total,83,UNODC,1/1,,inconsistente con los años anteriores" in lines
    path = ex.export_view(hnd_forms, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0][3] == "Valor (personas)"
    assert cells[1][:4] == ["Honduras", "2016", "Total", 83]
    assert [r[3] for r in cells if r[2] == "Otras formas de explotación"][-2:] == [
        "suprimido",
        "<5",
    ]
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        ex.export_view(hnd_forms, tmp_path / "t.txt")
    links = ex.download_links_html(hnd_forms)
    found = dict(
        re.findall(r'data-format="(\w+)" download="[^"]+" href="data:[^,]+,([^"]+)"', links)
    )
    assert base64.b64decode(found["csv"]) == csv
    assert (
        openpyxl.load_workbook(io.BytesIO(base64.b64decode(found["xlsx"]))).active["D2"].value == 83
    )
    assert 'download="corett_victims_form_HND_2016-2022.es.csv"' in links


def test_widget_callbacks_update_chart_table_and_labels(data: ex.ExplorerData) -> None:
    import altair as alt

    app = ex.build_explorer(data.ds, lang="es", countries="HND", disaggregation="form", k=5)
    # vega is bundled from vl-convert: no module is imported from a CDN
    assert "esm.sh" not in alt.JupyterChart._esm
    assert not re.search(r"""(import|from)\s*\(?\s*["']https?:""", alt.JupyterChart._esm)
    assert app.chart.spec["title"] == app.view.title
    first_title = app.view.title
    c = app.controls
    c["lang"].value = "en"
    assert (
        app.view.title
        == "Detected victims of trafficking, by form of exploitation: Honduras, 2016–2022"
    )
    assert c["indicator"].description == "Indicator"
    assert ("Honduras", "HND") in c["countries"].options
    assert app.view.title != first_title
    assert app.chart.spec["title"] == app.view.title
    c["years"].value = (2019, 2019)
    assert app.view.chart_kind == "bar"
    c["indicator"].value = "victims_rate"  # has no breakdown by form: back to total
    assert c["disaggregation"].value == "total"
    assert app.view.state.disaggregation == "total"
    c["k"].value = 9
    assert "Counts below 9 are suppressed" in app.notes.value
    c["countries"].value = ()
    assert app.problems == ["Choose at least one member or the region."]
    assert "Choose at least one member" in app.message.value
    assert app.view.state.countries == ("HND",)  # the last view stays
    assert 'data-corett-table="explorer_victims_rate_total"' in app.table_html.value


def test_docstring_examples_run() -> None:
    import doctest

    result = doctest.testmod(ex)
    assert result.attempted >= 2 and result.failed == 0


def test_parse_countries_and_download_name() -> None:
    assert ex.parse_countries("hnd, GTM CORETT,hnd") == ("HND", "GTM", "CORETT")
    assert ex.parse_countries(["MEX"]) == ("MEX",)
    assert ex.download_name(HND_FORMS, "csv") == "corett_victims_form_HND_2016-2022.es.csv"


@pytest.mark.slow
def test_notebook_executes_headless_under_papermill(tmp_path: Path) -> None:
    import nbformat
    import papermill as pm

    src = paths.notebooks_dir() / "explorer.ipynb"
    out = tmp_path / "explorer.out.ipynb"
    pm.execute_notebook(
        str(src),
        str(out),
        parameters={"lang": "es", "countries": "HND", "disaggregation": "form"},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 1
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "Víctimas de trata detectadas, por forma de explotación: Honduras, 2016–2022" in text
    assert "Explotación sexual: descenso de 68 en 2016 a 45 en 2022" in text


def test_the_table_has_the_quality_flags_of_each_row(data: ex.ExplorerData) -> None:
    state = ex.ExplorerState(countries=("MEX",), years=(2013, 2016), indicator="victims", lang="en")
    d = ex.explore(data, state).table.display
    col = "Data-quality review"
    by_year = dict(zip(d["Year"].astype(str), d[col], strict=True))
    assert by_year["2015"] == "outlier (standard deviations); inconsistent with the previous years"
    assert by_year["2013"] == ""  # no flag, no words
    # a rate computed from a flagged figure carries its flags
    rate = ex.ExplorerState(
        countries=("MEX",), years=(2015, 2015), indicator="victims_rate", lang="en"
    )
    r = ex.explore(data, rate).table.display
    assert "outlier (standard deviations)" in str(r[col].iloc[0])
