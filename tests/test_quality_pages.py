"""The data-quality review's flags on the pages: footnotes, rings, rates and changes that say so.

Real values from the shipped data: MEX 2015 detected victims, corrected from 2,015 (the year) to
1,679, are still flagged over time (+737 % against the mean of 2012-2014) and as a moderate outlier.
"""

from __future__ import annotations

import html
import re

import pytest

from corett_lib.analysis import quality
from corett_lib.reporting import annual, fact_notes, sdg
from corett_lib.reporting.context import Context, open_context


@pytest.fixture(scope="module")
def mex2015() -> dict[str, Context]:
    return {lang: open_context("MEX", 2015, lang) for lang in ("en", "es")}


def _lines(block_html: str) -> list[str]:
    return [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", block_html, flags=re.S)]


def _quality_lines(block_html: str) -> list[str]:
    return [x for x in _lines(block_html) if "data-quality" in x or "calidad de los datos" in x]


def test_fact_flag_rows_keep_the_evidence_and_agree_with_fact_flags(mex2015) -> None:
    ctx = mex2015["en"]
    rows = ctx.quality_flags
    v = rows[
        rows["iso3"].eq("MEX")
        & rows["year"].eq(2015)
        & rows["indicator_id"].eq("victims")
        & rows["disaggregation"].eq("total")
    ]
    assert set(v["rule"]) == {"time_consistency", "outlier_sd"}
    assert set(v["severity"]) == {"inconsistent", "moderate"}
    assert set(v["source"]) == {"UNODC"} and set(v["obs_year"]) == {2015}
    # the change of 2016 comes from the flagged 2015 and 2016 figures
    ch = rows[rows["iso3"].eq("MEX") & rows["year"].eq(2016)]
    ch = ch[ch["indicator_id"].eq("victims_change") & ch["disaggregation"].eq("total")]
    assert set(ch["obs_year"]) == {2015, 2016}
    # the long form covers exactly the facts of fact_flags
    ff = quality.fact_flags(quality.review(ctx.ds.observations), ctx.facts.registry)
    key = ["iso3", "year", "indicator_id", "disaggregation", "category", "source"]
    assert set(map(tuple, rows[key].drop_duplicates().to_numpy())) == set(
        map(tuple, ff[key].to_numpy())
    )


def test_mex_2015_victims_are_footnoted_on_the_annual_page_in_both_languages(mex2015) -> None:
    en = _quality_lines(annual.headline(mex2015["en"]).html)
    own = [x for x in en if x.startswith("Detected victims of trafficking, 2015 ")]
    assert own == [
        "Detected victims of trafficking, 2015 (UNODC (GLOTIP)): flagged by the data-quality "
        "review — inconsistent with the previous years (+737 % against the mean of the previous "
        "years, 200.7 (2012: 125; 2013: 207; 2014: 270)); outlier (standard deviations) (2.47 "
        "standard deviations from the series' mean of 471.7 (SD 488.9, 14 years with a figure))."
    ]
    es = _quality_lines(annual.headline(mex2015["es"]).html)
    own_es = [x for x in es if x.startswith("Víctimas de trata detectadas, 2015 ")]
    assert len(own_es) == 1
    assert "señalado por la revisión de calidad de los datos" in own_es[0]
    assert "+737 %" in own_es[0] and "valor atípico (desviaciones estándar)" in own_es[0]
    # the rate of the year is computed from it, and says so
    rate = [x for x in en if x.startswith("Detected victims per 100,000 population, 2015")]
    assert len(rate) == 1 and "computed from a figure flagged" in rate[0]
    assert "Detected trafficking victims, all (headline figure), 2015:" in rate[0]


def test_the_same_fact_has_the_same_sentence_on_every_page(mex2015) -> None:
    ctx = mex2015["en"]
    head = [x for x in _quality_lines(annual.headline(ctx).html) if ", 2015 (" in x]
    trend = _quality_lines(annual.trend(ctx).html)
    table = _quality_lines(annual.victims_by_sex_age(ctx).html)
    victims_2015 = head[0]
    assert victims_2015 in trend and victims_2015 in table
    rate_head = [x for x in head if x.startswith("Detected victims per 100,000")]
    assert rate_head and rate_head[0] in _quality_lines(sdg.series(ctx).html)


def test_the_trend_chart_rings_mex_2015(mex2015) -> None:
    for lang, words in (("en", "Ringed: the values of"), ("es", "Con un círculo")):
        page = annual.trend(mex2015[lang]).html
        alt = re.search(r'aria-label="([^"]*)"', page)
        assert alt is not None
        text = html.unescape(alt.group(1))
        assert words in text
        ringed = text[text.index(words) :]
        assert "2015" in ringed and "2014" in ringed
        assert "2013" not in ringed  # 125 → 207 is no flag


def test_the_2016_change_says_it_is_computed_from_a_flagged_figure() -> None:
    ctx = open_context("MEX", 2016, "en")
    lines = _quality_lines(annual.headline(ctx).html)
    change = [
        x for x in lines if x.startswith("Detected victims, change on the previous year, 2016")
    ]
    assert len(change) == 1
    assert "computed from a figure flagged by the data-quality review" in change[0]
    assert "Detected trafficking victims, all (headline figure), 2015: " in change[0]
    assert "+737 %" in change[0]
    es = _quality_lines(annual.headline(open_context("MEX", 2016, "es")).html)
    assert any(
        x.startswith("Víctimas detectadas, variación respecto al año anterior, 2016")
        and "calculado a partir de una cifra señalada" in x
        for x in es
    )


def test_a_figure_with_no_flag_gets_no_footnote() -> None:
    ctx = open_context("GTM", 2019, "en")  # GTM 2019 victims: no flag
    t = annual.indicators(ctx, ["victims"])
    assert not fact_notes.quality_flagged(ctx, t).any()
    assert fact_notes.quality_lines(ctx, t) == []
    assert _quality_lines(annual.headline(ctx).html) == []
    # the regional figures are not flagged (the review reads the members' figures)
    region = open_context("CORETT", 2015, "en")
    assert _quality_lines(annual.headline(region).html) == []


def test_breakdown_tables_mark_the_flagged_rows(mex2015) -> None:
    page = annual.victims_by_sex_age(mex2015["es"]).html
    assert "señalado por la revisión de calidad de los datos (véanse las notas)" in page
    sdg_page = sdg.breakdown(mex2015["en"]).html
    assert "flagged by the data-quality review (see the notes)" in sdg_page
