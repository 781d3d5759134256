"""The evaluator HTML: no code, no parameters, nothing from the network (no kernel needed)."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from corett_lib.batch.render import (
    RenderError,
    chart_svg,
    evaluator_notebook,
    export_html,
    offline_violations,
    strip_network_scripts,
)


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    """A small executed notebook as papermill leaves it: parameters, injected parameters, outputs."""
    params = new_code_cell('country: str = "GTM"  # ISO3', metadata={"tags": ["parameters"]})
    injected = new_code_cell(
        '# Parameters\ncountry = "HND"\n', metadata={"tags": ["injected-parameters"]}
    )
    note = new_markdown_cell("maintainer note", metadata={"tags": ["notebook-only"]})
    code = new_code_cell("secret_function_call(ctx)")
    code.outputs = [
        new_output("display_data", data={"text/html": "<h2>Headline figures</h2><p>434</p>"}),
        new_output("stream", name="stderr", text="DeprecationWarning: noise\n"),
    ]
    chart = new_code_cell("chart_call()")
    chart.outputs = [
        new_output(
            "display_data",
            data={"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'},
        )
    ]
    return new_notebook(cells=[note, params, injected, code, chart])


@pytest.fixture(scope="module")
def page(executed: nbformat.NotebookNode) -> str:
    return export_html(executed, title="CORETT · Informe anual · GTM · 2019", lang="es")


def test_page_keeps_outputs_and_drops_code_parameters_and_notes(page: str) -> None:
    assert "<h2>Headline figures</h2><p>434</p>" in page
    assert "secret_function_call" not in page and "chart_call" not in page
    assert '"HND"' not in page and "country" not in page.split("<body", 1)[1]
    assert "maintainer note" not in page
    assert "DeprecationWarning" not in page
    assert "<rect" in page  # the SVG chart is inline


def test_page_loads_nothing_from_the_network(page: str) -> None:
    assert '<script src="http' not in page
    for cdn in ("cdnjs", "jsdelivr", "unpkg", "mathjax", "require.min.js"):
        assert cdn not in page.lower(), cdn
    assert offline_violations(page) == []


def test_page_has_language_and_title(page: str) -> None:
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in page
    assert "<title>CORETT · Informe anual · GTM · 2019</title>" in page


def test_evaluator_notebook_keeps_only_report_cells(executed: nbformat.NotebookNode) -> None:
    out = evaluator_notebook(executed)
    assert [c.cell_type for c in out.cells] == ["code", "code"]
    assert all(c.source == "" for c in out.cells)
    assert len(executed.cells) == 5  # the original is not modified


def test_offline_violations_finds_each_kind_of_network_load() -> None:
    html = (
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js">'
        "</script>\n"
        '<link rel="stylesheet" href="//fonts.example.org/x.css">\n'
        "<script type=\"module\">import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid';</script>\n"
        '<a href="https://www.unodc.org/">UNODC</a>'
    )
    kinds = sorted({v.split(":", 1)[0] for v in offline_violations(html)})
    assert kinds == ["CDN", "module import", "script src", "stylesheet link"]


def test_strip_network_scripts_removes_cdn_loaders_only() -> None:
    html = (
        '<script src="https://cdn.example/require.js"></script><p>keep</p>'
        "<script>var local = 1;</script>"
    )
    assert strip_network_scripts(html) == "<p>keep</p><script>var local = 1;</script>"


def test_export_refuses_a_page_that_would_load_from_the_network() -> None:
    nb = new_notebook(cells=[new_code_cell("x")])
    nb.cells[0].outputs = [
        new_output(
            "display_data", data={"text/html": '<link rel="stylesheet" href="https://x/y.css">'}
        )
    ]
    with pytest.raises(RenderError, match="stylesheet link"):
        export_html(nb, title="t")


def test_chart_svg_renders_a_vega_lite_spec_without_a_runtime() -> None:
    spec = {
        "data": {"values": [{"year": "2018", "v": 371}, {"year": "2019", "v": 434}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "v", "type": "quantitative"},
        },
    }
    svg = chart_svg(spec)
    assert svg.lstrip().startswith("<svg") and "2019" in svg and "<script" not in svg


def test_a_thread_reuses_its_exporter_and_pages_do_not_depend_on_it(
    executed: nbformat.NotebookNode, page: str
) -> None:
    import threading

    from corett_lib.batch import render

    assert render._exporter() is render._exporter()
    other: list[object] = []
    t = threading.Thread(target=lambda: other.append(render._exporter()))
    t.start()
    t.join()
    assert other[0] is not render._exporter()  # exporters are not shared between threads
    again = export_html(executed, title="CORETT · Informe anual · GTM · 2019", lang="es")
    render._local.exporter = render._new_exporter()
    fresh = export_html(executed, title="CORETT · Informe anual · GTM · 2019", lang="es")
    assert again == page == fresh


def _stock_exporter() -> object:
    """nbconvert's own HTML exporter with the page's settings (what pages were rendered with before)."""
    from nbconvert import HTMLExporter

    from corett_lib.batch import render

    return HTMLExporter(**render.exporter_settings())


@pytest.fixture()
def svg_and_image() -> nbformat.NotebookNode:
    """A notebook whose outputs BeautifulSoup would normalise: SVG camelCase, entities, an image."""
    chart = new_code_cell("chart()")
    chart.outputs = [
        new_output(
            "display_data",
            data={
                "image/svg+xml": '<svg viewBox="0 0 10 10"><clipPath id="c"><rect/></clipPath>'
                "<text>Men &amp; women</text></svg>"
            },
        )
    ]
    table = new_code_cell("table()")
    table.outputs = [
        new_output(
            "display_data",
            data={"text/html": "<p>Cases &#x27;per&#x27; 100 000<br>2019</p><img src='m.png'>"},
        )
    ]
    return new_notebook(cells=[new_markdown_cell("## Trend"), chart, table])


def test_the_page_is_the_template_output_without_beautifulsoup(
    svg_and_image: nbformat.NotebookNode,
) -> None:
    from corett_lib.batch import render

    new = export_html(svg_and_image, title="t")
    assert '<svg viewBox="0 0 10 10"><clipPath id="c">' in new  # SVG names as written
    assert "Cases &#x27;per&#x27; 100 000<br>2019" in new
    assert f"<img alt=\"{render.MISSING_ALT}\" src='m.png'>" in new  # the one thing bs4 added
    render._local.exporter = _stock_exporter()
    try:
        old = export_html(svg_and_image, title="t")
    finally:
        render._local.exporter = None
    assert "viewbox" in old and "viewBox" not in old  # what BeautifulSoup did to it
    # the same content: equal once both are parsed and serialised again
    assert render.nbconvert_markup(new) == render.nbconvert_markup(old)


def test_legacy_markup_reproduces_the_page_of_nbconvert_exporter(
    svg_and_image: nbformat.NotebookNode,
) -> None:
    """An approved page of an earlier version is recognised by its checksum in that markup."""
    from corett_lib.batch import render

    legacy = export_html(svg_and_image, title="t", legacy_markup=True)
    render._local.exporter = _stock_exporter()
    try:
        old = export_html(svg_and_image, title="t")
    finally:
        render._local.exporter = None
    assert legacy == old


def test_evaluator_notebook_leaves_the_executed_notebook_unchanged(
    executed: nbformat.NotebookNode,
) -> None:
    import copy

    before = copy.deepcopy(executed)
    evaluator_notebook(executed)
    assert executed == before


def test_add_missing_alt_keeps_existing_descriptions() -> None:
    from corett_lib.batch.render import MISSING_ALT, add_missing_alt

    assert add_missing_alt('<IMG ALT="Map" src=a>') == '<IMG ALT="Map" src=a>'
    assert add_missing_alt("<img/>") == f'<img alt="{MISSING_ALT}"/>'
    assert add_missing_alt("<p>no image</p>") == "<p>no image</p>"


def test_blank_text_between_tags_is_collapsed_as_beautifulsoup_did() -> None:
    from bs4 import BeautifulSoup

    from corett_lib.batch.render import collapse_blank_text

    table = '<table class="dataframe">\n  <thead>\n    <tr>\n      <th>Year</th>\n    </tr>'
    table += "\n  </thead>\n</table>\n<pre>\n    kept  as is\n</pre> <b>x</b>"
    out = collapse_blank_text(table)
    assert out == str(BeautifulSoup(table, "html.parser"))
    assert "<pre>\n    kept  as is\n</pre> <b>" in out and "\n  <" not in out
