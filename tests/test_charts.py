"""Charts: labels in the chart's language, text alternatives, suppressed values never drawn as 0."""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from corett_lib.core import i18n
from corett_lib.reporting import charts

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def _trend(suppressed_value: float | None = 3, lang: str = "es") -> tuple[Any, str]:
    df = pd.DataFrame(
        {
            "year": [2017, 2018, 2019],
            "value": [316, suppressed_value, 434],
            "suppressed": [False, True, False],
        }
    )
    return charts.trend_chart(
        df,
        lang=lang,
        title="Guatemala",
        y_title=i18n.t("indicator.detected_victims", lang),
    )


def _spec(chart: Any) -> dict[str, Any]:
    with alt.theme.enable(charts.THEME_NAME):
        return chart.to_dict()


def _marks(node: Any, marktype: str) -> list[dict[str, Any]]:
    """Items of every non-axis, non-legend mark of ``marktype`` in a Vega scenegraph."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("marktype") == marktype and node.get("role") == "mark":
            found.extend(node.get("items", []))
        for value in node.values():
            found.extend(_marks(value, marktype))
    elif isinstance(node, list):
        for value in node:
            found.extend(_marks(value, marktype))
    return found


def _embedded_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for values in spec.get("datasets", {}).values():
        rows.extend(values)
    for layer in spec.get("layer", []):
        rows.extend(layer.get("data", {}).get("values", []))
    rows.extend(spec.get("data", {}).get("values", []))
    return rows


def test_theme_is_registered_and_enabled_by_the_builders() -> None:
    _trend()
    assert charts.THEME_NAME in alt.theme.names()
    assert alt.theme.active == charts.THEME_NAME
    assert charts.PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")  # Okabe–Ito


def test_trend_svg_has_spanish_titles_and_no_url() -> None:
    chart, _ = _trend(lang="es")
    svg = charts.to_svg(chart)
    assert "Año" in svg
    assert "Víctimas de trata detectadas" in svg
    assert "Suprimido (menos de 5)" in svg
    assert "Year" not in svg
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= SVG_NAMESPACES


def test_trend_alt_text_gives_first_and_last_values() -> None:
    _, text_en = _trend(lang="en")
    assert text_en == (
        "Line chart: Guatemala. Detected trafficking victims rose from 316 in 2017 to 434 in 2019. "
        "Suppressed (fewer than 5): 2018."
    )
    _, text_es = _trend(lang="es")
    assert text_es == (
        "Gráfico de líneas: Guatemala. Víctimas de trata detectadas: aumento de 316 en 2017 a 434 "
        "en 2019. Suprimido (menos de 5): 2018."
    )


def test_trend_alt_text_per_series_and_direction() -> None:
    df = pd.DataFrame(
        {
            "year": [2019, 2020, 2019, 2020],
            "value": [1582, 1200.5, 40, 40],
            "suppressed": [False, False, False, False],
            "who": ["Mexico", "Mexico", "Belize", "Belize"],
        }
    )
    _, text = charts.trend_chart(
        df, lang="en", title="Victims", y_title="Victims", series="who", decimals=1
    )
    assert text == (
        "Line chart: Victims. Mexico fell from 1,582.0 in 2019 to 1,200.5 in 2020. "
        "Belize was 40.0 in 2019 and 40.0 in 2020."
    )


def test_suppressed_point_is_not_drawn_as_zero_and_its_value_is_not_embedded() -> None:
    chart, _ = _trend(suppressed_value=3)
    spec = _spec(chart)
    rows = [r for r in _embedded_rows(spec) if r.get("x") == 2018]
    assert rows and all(r["_value"] is None for r in rows)  # the 3 the caller left is dropped
    scene = vlc.vegalite_to_scenegraph(spec, vl_version=charts._vl_version())
    points = _marks(scene, "symbol")
    assert len(points) == 2  # 2017 and 2019 only
    zero_y = 260.0  # plot height: y of the value 0
    assert all(abs(p["y"] - zero_y) > 50 for p in points)
    ranges = _marks(scene, "rect")
    assert len(ranges) == 1 and ranges[0]["fill"] == charts.SUPPRESSED_FILL
    assert ranges[0]["y2"] == pytest.approx(zero_y)  # a range from 0 up to the threshold
    assert ranges[0]["height"] == pytest.approx(260 * 5 / 450, abs=0.5)


def test_bar_chart_labels_forms_of_exploitation_and_lists_values() -> None:
    df = pd.DataFrame(
        {
            "category": [
                "Sexual exploitation",
                "Forced labour",
                "Other forms of exploitation",
                "Removal of organs",
            ],
            "value": [120, 4, 30, None],
            "suppressed": [False, True, False, False],
        }
    )
    chart, text = charts.bar_chart(df, lang="es", title="Formas de explotación", x_title="Víctimas")
    assert text == (
        "Gráfico de barras: Formas de explotación. Explotación sexual: 120; Otras formas de "
        "explotación: 30; Trabajo forzoso: menos de 5 (suprimido); Removal of organs: sin datos."
    )
    svg = charts.to_svg(chart)
    assert "Trabajo forzoso" in svg and "sin datos" in svg and "&lt;5" in svg
    spec = _spec(chart)
    forced = [r for r in _embedded_rows(spec) if r.get("label") == "Trabajo forzoso"]
    assert forced and all(r["_value"] is None and r["_bound"] == 5 for r in forced)


def test_stacked_bar_puts_suppressed_segments_last_without_moving_the_others() -> None:
    df = pd.DataFrame(
        {
            "sex": ["Female", "Female", "Male", "Male"],
            "age": ["0 to 17 years", "18 years or over", "0 to 17 years", "18 years or over"],
            "value": [120, 80, 2, 40],
            "suppressed": [False, False, True, False],
        }
    )
    chart, text = charts.stacked_bar(df, lang="en", title="Victims by sex and age", x_title="n")
    assert text == (
        "Stacked bar chart: Victims by sex and age. Female (0 to 17 years: 120, 18 years or "
        "over: 80); Male (0 to 17 years: fewer than 5 (suppressed), 18 years or over: 40)."
    )
    rows = _embedded_rows(_spec(chart))
    male = {r["part"]: (r["_x0"], r["_x1"], r["_value"]) for r in rows if r["label"] == "Male"}
    assert male["18 years or over"] == (0.0, 40.0, 40.0)
    assert male["0 to 17 years"] == (40.0, 45.0, None)


def test_comparison_chart_names_members_in_spanish_and_highlights_one() -> None:
    df = pd.DataFrame(
        {
            "iso3": ["MEX", "GTM", "DOM", "CRI", "NIC"],
            "value": [970, 434, 60, 2, None],
            "suppressed": [False, False, False, True, False],
        }
    )
    chart, text = charts.comparison_chart(
        df, lang="es", title="Víctimas, 2019", x_title="Víctimas", highlight="GTM"
    )
    assert text == (
        "Gráfico de barras que compara a los países miembros: Víctimas, 2019. México: 970; "
        "Guatemala: 434; República Dominicana: 60; Costa Rica: menos de 5 (suprimido); "
        "Nicaragua: sin datos. Valor más alto: México (970)."
    )
    svg = charts.to_svg(chart)
    assert "República Dominicana" in svg and "Otros países miembros" in svg
    assert charts.PALETTE[1].lower() in svg.lower()  # the highlighted member's bar


def test_missing_column_is_named() -> None:
    df = pd.DataFrame({"year": [2019], "value": [1]})
    with pytest.raises(KeyError, match=r"lacks column.*suppressed"):
        charts.trend_chart(df, lang="en", title="t", y_title="y")


def test_html_fragment_is_an_accessible_figure_without_scripts_or_urls() -> None:
    chart, text = _trend(lang="en")
    fragment = charts.to_html_fragment(chart, text + ' "quoted" <b>')
    assert fragment.startswith('<figure class="corett-chart">')
    assert 'role="img" aria-label="Line chart: Guatemala.' in fragment
    assert "&quot;quoted&quot; &lt;b&gt;" in fragment
    assert re.search(r"<figcaption>Line chart: Guatemala\..*</figcaption></figure>$", fragment)
    assert "<svg" in fragment and "<script" not in fragment and "http" not in fragment


def test_a_year_without_data_stays_on_the_axis_and_breaks_the_line() -> None:
    df = pd.DataFrame(
        {"year": [2015, 2016, 2019], "value": [100, 120, 150], "suppressed": [False] * 3}
    )
    chart, text = charts.trend_chart(df, lang="en", title="Belize", y_title="Victims")
    spec = chart.to_dict()
    values = {r["x"]: r["_value"] for r in spec["data"]["values"]}
    assert values == {2015: 100.0, 2016: 120.0, 2017: None, 2018: None, 2019: 150.0}
    ticks = {tuple(layer["encoding"]["x"]["axis"]["values"]) for layer in spec["layer"]}
    assert ticks == {(2015, 2016, 2017, 2018, 2019)}
    assert "from 100 in 2015 to 150 in 2019" in text  # the gap years are not values


def test_trend_caption_states_the_peak_between_first_and_last() -> None:
    """Guatemala's detected victims in the shipped UNODC data rose from 14 (2010) to 434 (2019) but
    peaked at 484 in 2016: the caption must say so, not only first and last (issue 16)."""
    df = pd.DataFrame(
        {
            "year": [2010, 2011, 2012, 2013, 2014, 2016, 2017, 2018, 2019],
            "value": [14, 57, 192, 234, 273, 484, 333, 371, 434],
            "suppressed": [False] * 9,
        }
    )
    _, text = charts.trend_chart(df, lang="en", title="Guatemala", y_title="Detected victims")
    assert text == (
        "Line chart: Guatemala. Detected victims rose from 14 in 2010 to 434 in 2019. "
        "Lowest 14 in 2010, highest 484 in 2016."
    )
    _, text_es = charts.trend_chart(df, lang="es", title="Guatemala", y_title="Víctimas")
    assert text_es.endswith("Mínimo de 14 en 2010, máximo de 484 en 2016.")


def test_svg_cache_serves_the_same_chart_and_never_a_stale_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path))
    rendered: list[dict[str, Any]] = []
    real = vlc.vegalite_to_svg

    def counting(spec: dict[str, Any], **kwargs: Any) -> str:
        rendered.append(spec)
        return str(real(spec, **kwargs))

    monkeypatch.setattr(vlc, "vegalite_to_svg", counting)
    first = charts.to_svg(_trend()[0])
    assert len(rendered) == 1
    files = list((tmp_path / charts.SVG_CACHE_FOLDER).glob("svg-*.json"))
    assert len(files) == 1
    assert charts.to_svg(_trend()[0]) == first  # same content: served from the cache
    assert len(rendered) == 1
    # A changed input (a value, the language) changes the key: rendered again, never the old SVG.
    df = pd.DataFrame(
        {"year": [2017, 2018, 2019], "value": [316, 3, 435], "suppressed": [False, True, False]}
    )
    y_title = i18n.t("indicator.detected_victims", "es")
    changed = charts.to_svg(
        charts.trend_chart(df, lang="es", title="Guatemala", y_title=y_title)[0]
    )
    assert len(rendered) == 2 and changed != first
    spanish, english = charts.to_svg(_trend(lang="es")[0]), charts.to_svg(_trend(lang="en")[0])
    assert len(rendered) == 3 and english != spanish
    # A damaged cache file fails its checksum and is rendered again (and repaired).
    files[0].write_bytes(files[0].read_bytes()[:-20])
    assert charts.to_svg(_trend()[0]) == first
    assert len(rendered) == 4
    assert charts.to_svg(_trend()[0]) == first and len(rendered) == 4


def test_a_complementary_point_gives_its_reason_and_is_not_drawn_below_k() -> None:
    """NIC 2019 victims (annual trend, 2017-2019: 12, 32, 8): 8 is not below 5. The pages hide it
    so that its two parts by form (both <5) cannot be worked out (complementary). The text used to
    say "Suppressed (fewer than 5): 2019" and the point was drawn as a bar from 0 to 5 labelled <5:
    both false for 8. With the table's status, a primary point keeps "fewer than 5"; the
    complementary one is not drawn and the text gives the ledger's reason, in English and Spanish.
    """
    df = pd.DataFrame(
        {
            "year": [2016, 2017, 2018, 2019],
            "value": [float("nan"), 12, 32, float("nan")],
            "suppressed": [True, False, False, True],
            "status": ["primary", "", "", "complementary"],
        }
    )
    chart, text = charts.trend_chart(
        df, lang="en", title="Detected victims, Nicaragua", y_title="Victims", status="status"
    )
    assert "Suppressed (fewer than 5): 2016." in text
    assert (
        "Suppressed in 2019 (Complementary: protects a suppressed count from being derived "
        "from totals)." in text
    )
    assert "fewer than 5): 2016, 2019" not in text
    spec = _spec(chart)
    rows = {r["x"]: r for r in _embedded_rows(spec)}
    assert rows[2016]["_suppressed"] is True and rows[2016]["_text"] == "<5"
    assert rows[2019]["_suppressed"] is False and rows[2019]["_text"] == ""  # no <5 bar
    assert rows[2019]["_value"] is None

    _, es = charts.trend_chart(
        df, lang="es", title="Víctimas detectadas", y_title="Víctimas", status="status"
    )
    assert "Suprimido (menos de 5): 2016." in es
    assert (
        "Suprimido en 2019 (Complementaria: impide deducir un conteo suprimido a partir de los "
        "totales)." in es
    )
    # Without the status column every suppressed point is primary, as before.
    _, plain = charts.trend_chart(df.drop(columns="status"), lang="en", title="t", y_title="v")
    assert "Suppressed (fewer than 5): 2016, 2019." in plain


def test_a_complementary_member_in_the_comparison_says_why() -> None:
    """The regional comparison lists each member; a rate hidden because its count is hidden as a
    complement reads "suppressed (Complementary: ...)", not "fewer than 5"."""
    df = pd.DataFrame(
        {
            "iso3": ["GTM", "NIC", "BLZ"],
            "value": [2.5, float("nan"), float("nan")],
            "suppressed": [False, True, True],
            "status": ["", "complementary", "primary"],
        }
    )
    chart, text = charts.comparison_chart(
        df, lang="en", title="Rate", x_title="Rate", status="status"
    )
    assert (
        "Nicaragua: suppressed (Complementary: protects a suppressed count from being derived "
        "from totals)" in text
    )
    assert "Belize: fewer than 5 (suppressed)" in text
    values = {r["iso3"]: r for r in _embedded_rows(_spec(chart))}
    assert values["NIC"]["_text"] == "suppressed" and values["BLZ"]["_text"] == "<5"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_nic_2019_trend_text_gives_the_complementary_reason(lang: str) -> None:
    """The built page: NIC's annual victims trend and SDG 16.2.2 series (2019 hidden: complementary),
    DOM's quality trend of convicted (2019's 8 hidden: complementary)."""
    import html as html_lib

    from corett_lib.reporting import annual, quality, sdg
    from corett_lib.reporting.context import open_context

    nic = open_context("NIC", 2019, lang)
    reason = i18n.t("disclosure.complementary", lang)
    said = i18n.t("chart.alt.hidden_years", lang, years="2019", reason=reason)
    small = i18n.t("chart.alt.suppressed_years", lang, threshold="5", years="2019")
    for block in (annual.trend(nic), sdg.series(nic)):
        page = html_lib.unescape(block.html)
        assert said in page and small not in page
    dom = quality.trends(open_context("DOM", 2019, lang))
    assert dom is not None
    page = html_lib.unescape(dom.html)
    assert said in page and small not in page
