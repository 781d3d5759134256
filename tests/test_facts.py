"""The published-facts layer (issue 13): one fact table per build, read the same way by every page.

Real values from the shipped data (UNODC GLOTIP export of 14 April 2025, CORETT's Chart 3):

* Honduras 2019: Female 79 + Male 9 = 88 against a total of 84 detected victims;
* Mexico 2017: UNODC 970, CORETT 1,080;
* CORETT 2017: published 1,791 (9 members); UNODC's eight members (no Nicaragua) add up to 1,688;
* CORETT 2019: published 1,582; UNODC's six members add up to 817-820; prosecutions 2018 486-489
  (7 members), 2019 277-280 (6 members).
"""

from __future__ import annotations

import math
import re
from html import unescape
from types import SimpleNamespace

import pandas as pd
import pytest

from corett_lib.dataset.registry import load_registry
from corett_lib.facts import store
from corett_lib.facts.engine import evaluate
from corett_lib.facts.rules import inconsistent_facts
from corett_lib.facts.table import FACT_COLUMNS, FACT_KEY, Facts, build_facts, facts_from_dataset
from corett_lib.facts.view import indicator_table, sources_table

SIX_2019 = "BLZ,CRI,DOM,GTM,HND,SLV"
EIGHT_2017 = "BLZ,CRI,DOM,GTM,HND,MEX,PAN,SLV"


@pytest.fixture(scope="module")
def ds():
    from corett_lib.validation.load import load

    return load()


@pytest.fixture(scope="module")
def facts(ds) -> Facts:
    return facts_from_dataset(ds)


def _row(f: Facts, iso3: str, year: int, ind: str, disagg: str = "total", cat: str = "Total"):
    return f.fact(iso3, year, ind, cat, disaggregation=disagg)


def _source(f: Facts, iso3: str, year: int, ind: str, source: str) -> pd.Series:
    s = f.sources
    hit = s[
        s["iso3"].eq(iso3)
        & s["year"].eq(year)
        & s["indicator_id"].eq(ind)
        & s["disaggregation"].eq("total")
        & s["source"].eq(source)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# --- the table -------------------------------------------------------------------------------------


def test_fact_table_has_its_documented_schema_and_one_row_per_key(facts) -> None:
    assert list(facts.table.columns) == FACT_COLUMNS
    assert not facts.table.duplicated(FACT_KEY).any()
    assert set(facts.table["iso3"]) == {*facts.members, "CORETT"}


def test_honduras_2019_sex_parts_above_the_total_are_flagged_not_the_total(facts) -> None:
    total = _row(facts, "HND", 2019, "victims")
    assert (total["value"], bool(total["f_inconsistent"])) == (84.0, False)
    for cat, value in (("Female", 79.0), ("Male", 9.0)):
        part = _row(facts, "HND", 2019, "victims", "sex", cat)
        assert part["value"] == value  # shown as published
        assert bool(part["f_inconsistent"]) and "parts_above_total:sex" in part["notes"]
    # The age parts (22 + 62 = 84) are consistent.
    assert not _row(facts, "HND", 2019, "victims", "age", "0 to 17 years")["f_inconsistent"]


def test_no_share_or_rate_from_an_inconsistent_part(facts) -> None:
    share = _row(facts, "HND", 2019, "women_girls_share")
    assert math.isnan(share["value"]) and math.isnan(share["lower"])  # never 94.05 %
    assert bool(share["f_withheld"]) and bool(share["f_inconsistent"])
    assert "withheld" in share["flags"].split(";")
    rate = _row(facts, "HND", 2019, "victims_rate", "sex", "Female")
    assert math.isnan(rate["value"]) and bool(rate["f_withheld"])
    # From consistent parts the share and the rate are facts too.
    minors = _row(facts, "HND", 2019, "minors_share")
    assert round(minors["value"], 2) == 26.19 and not minors["f_withheld"]  # 22 of 84
    girls_2017 = _row(facts, "HND", 2017, "women_girls_share")
    assert round(girls_2017["value"], 2) == 80.52  # 124 of 154
    by_age = _row(facts, "HND", 2019, "victims_rate", "age", "0 to 17 years")
    assert round(by_age["value"], 3) == round(22 / by_age["denominator"] * 100000, 3)


def test_mexico_2017_sources_side_by_side(facts) -> None:
    f = _row(facts, "MEX", 2017, "victims")
    assert (f["value"], f["source"], f["other_sources"]) == (970.0, "UNODC", "CORETT=1080")
    assert "sources_differ" in f["notes"]
    corett = _source(facts, "MEX", 2017, "victims", "CORETT")
    assert (corett["value"], bool(corett["chosen"]), corett["difference"]) == (1080.0, False, 110.0)


def test_regional_2017_published_figure_and_sums_of_one_source_each(facts) -> None:
    reg = _row(facts, "CORETT", 2017, "victims")
    assert (reg["value"], reg["source"], int(reg["coverage_n"])) == (1791.0, "CORETT", 9)
    unodc = _source(facts, "CORETT", 2017, "victims", "sum of members (UNODC)")
    # UNODC's eight members; CORETT's Nicaragua (12) is never added to them.
    assert (unodc["value"], int(unodc["coverage_n"])) == (1688.0, 8)
    assert unodc["coverage_members"] == EIGHT_2017
    assert _source(facts, "CORETT", 2017, "victims", "sum of members (CORETT)")["value"] == 1791.0


def test_regional_2019_partial_sum_carries_its_coverage(facts) -> None:
    unodc = _source(facts, "CORETT", 2019, "victims", "sum of members (UNODC)")
    assert math.isnan(unodc["value"]) and (unodc["lower"], unodc["upper"]) == (817.0, 820.0)
    assert (int(unodc["coverage_n"]), unodc["coverage_members"]) == (6, SIX_2019)
    for year, low, high, n in ((2018, 486.0, 489.0, 7), (2019, 277.0, 280.0, 6)):
        p = _row(facts, "CORETT", year, "prosecuted")
        assert (p["lower"], p["upper"], int(p["coverage_n"])) == (low, high, n)
        assert p["source"] == "sum of members (UNODC)"
        assert {"range", "partial_coverage"} <= set(p["flags"].split(";"))
    assert _row(facts, "CORETT", 2019, "prosecuted")["coverage_members"] == SIX_2019


def test_a_regional_sum_over_an_inconsistent_member_part_is_inconsistent(facts) -> None:
    female = _row(facts, "CORETT", 2019, "victims", "sex", "Female")
    assert "HND" in female["coverage_members"].split(",")
    assert bool(female["f_inconsistent"]) and "member_inconsistent" in female["notes"]


# --- the rule on small frames ----------------------------------------------------------------------


def _resolved(rows: list[tuple[str, str, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "ind": "victims",
                "iso3": "HND",
                "year": 2019,
                "disagg": d,
                "category": c,
                "value": math.nan if cens else v,
                "value_low": 1.0 if cens else v,
                "value_high": 4.0 if cens else v,
                "censored": cens,
                "source": "UNODC",
                "source_id": "UNODC",
                "coverage_members": "HND",
            }
            for d, c, v, cens in rows
        ]
    )


def test_a_censored_part_is_never_evidence_of_an_excess() -> None:
    # 20 + 59 + <5 + 6 = 85 > 84 counts only the published numbers: 85 is already above 84.
    r = _resolved(
        [
            ("total", "Total", 84.0, False),
            ("sex_age", "Female, 0 to 17 years", 20.0, False),
            ("sex_age", "Female, 18 years or over", 59.0, False),
            ("sex_age", "Male, 0 to 17 years", 0.0, True),
            ("sex_age", "Male, 18 years or over", 6.0, False),
        ]
    )
    assert inconsistent_facts(r, load_registry())["inconsistent"].tolist() == [
        False,
        True,
        True,
        True,
        True,
    ]
    # With 80 + <5 against 84 nothing can be told: the <5 may be a zero.
    r = _resolved([("total", "Total", 84.0, False), ("sex", "Female", 80.0, False)])
    r = pd.concat([r, _resolved([("sex", "Male", 0.0, True)])], ignore_index=True)
    assert not inconsistent_facts(r, load_registry())["inconsistent"].any()


def test_forms_may_overlap_only_one_form_above_the_total_is_inconsistent() -> None:
    # Honduras 2019, persons convicted: sexual exploitation 43 against a total of 38.
    r = _resolved(
        [
            ("total", "Total", 38.0, False),
            ("form", "Sexual exploitation", 43.0, False),
            ("form", "Other forms of exploitation", 32.0, False),
        ]
    )
    out = inconsistent_facts(r, load_registry())
    assert out["inconsistent"].tolist() == [False, True, False]
    assert out["note"].iloc[1] == "part_above_total:form;"


def test_indicator_table_on_observations_reads_the_same_flags() -> None:
    def ob(value: float, sex: str = "Total") -> dict:
        return {
            "source": "UNODC",
            "iso3": "HND",
            "year": 2019,
            "indicator": "Detected trafficking victims",
            "dimension": "Total",
            "category": "Total",
            "sex": sex,
            "age": "Total",
            "unit": "Counts",
            "value": value,
            "censored": False,
            "value_low": value,
            "value_high": value,
        }

    obs = pd.DataFrame([ob(84.0), ob(79.0, "Female"), ob(9.0, "Male")])
    pop = pd.DataFrame({"iso3": ["HND"], "year": [2019], "population": [9746115]})
    t = indicator_table(
        obs, pop, countries=["HND"], indicators=["women_girls_share"], members=["HND"]
    )
    assert math.isnan(t["value"].iloc[0]) and t["flags"].iloc[0].endswith("withheld")


# --- stored once per build -------------------------------------------------------------------------


def test_facts_round_trip_through_parquet_with_provenance(facts, tmp_path) -> None:
    snapshot = tmp_path / "dataset-abc.pkl"
    header = store.write_facts(facts, snapshot, {"snapshot_key": "abc"})
    assert header.name.startswith("dataset-abc.facts-") and header == store.facts_header(snapshot)
    assert len(list(tmp_path.glob("dataset-abc.facts-*.parquet"))) == 2
    assert not list(tmp_path.glob(".*.tmp"))  # written aside, then renamed
    meta = store.read_meta(snapshot)
    assert meta["members"] == list(facts.members) and meta["snapshot_key"] == "abc"
    back = store.read_facts(snapshot)
    pd.testing.assert_frame_equal(back.table, facts.table, check_dtype=False)
    assert back.fact("MEX", 2017, "victims")["other_sources"] == "CORETT=1080"


def test_the_build_stores_the_facts_beside_its_snapshot(tmp_path, monkeypatch) -> None:
    from corett_lib.batch import build

    monkeypatch.setenv("CORETT_CACHE", str(tmp_path))
    inputs = build.gather_inputs(None, ["annual"])
    assert build.read_facts(inputs) is None
    build.load_and_snapshot(inputs)
    pkl = build.snapshot_path(inputs)  # the snapshot's cache entry (its header)
    assert store.facts_header(pkl).is_file()
    assert build.read_facts(inputs) is not None
    stored = store.read_facts(pkl)
    assert stored.fact("HND", 2019, "women_girls_share")["f_withheld"]


# --- the pages read the facts ----------------------------------------------------------------------


def _ctx(ds, country: str, year: int, lang: str = "en"):
    from corett_lib.publishing.publish import Ledger
    from corett_lib.reporting.context import Context

    return Context(country=country, year=year, lang=lang, ds=ds, k=5, ledger=Ledger(k=5))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_honduras_2019_reads_the_same_on_the_annual_and_the_sdg_page(ds) -> None:
    from corett_lib.reporting import annual, sdg

    sentence = "the published parts add up to more than the total (84)"
    a = _text(annual.victims_by_sex_age(_ctx(ds, "HND", 2019)).html)
    s = _text(sdg.breakdown(_ctx(ds, "HND", 2019)).html)
    targets = _text(sdg.targets(_ctx(ds, "HND", 2019)).html)
    assert sentence in a and sentence in s
    assert "parts above their total" in a and "parts above their total" in s
    assert "94.05" not in targets and "94.0" not in targets
    assert "Share of women and girls among detected victims, 2019: not computed" in targets
    es = _text(annual.victims_by_sex_age(_ctx(ds, "HND", 2019, "es")).html)
    assert "partes por encima del total" in es


def test_regional_evaluation_and_annual_pages_show_the_same_prosecutions(ds) -> None:
    from corett_lib.reporting import annual
    from corett_lib.reporting.evaluation import effect_facts, effects

    ctx = _ctx(ds, "CORETT", 2019)
    a = _text(annual.prosecutions_convictions(ctx).html)
    e = _text(effects(SimpleNamespace(ctx=ctx, lang="en", series=effect_facts(ctx))).html)
    for shown in ("486–489", "277–280", "159–162", "90–96"):
        assert shown in a and shown in e
    cover = (
        "6 of 9 members (Belize, Costa Rica, Dominican Republic, Guatemala, Honduras, El Salvador)"
    )
    assert cover in a and cover in e
    assert "Members without a figure: Mexico, Nicaragua, Panama." in a
    rows = effect_facts(ctx)
    p = rows[(rows["indicator_id"] == "prosecuted") & (rows["year"] == 2019)].iloc[0]
    assert (p["value_low"], p["value_high"]) == (277.0, 280.0)


def test_regional_2017_page_keeps_the_published_figure_and_the_unodc_sum_apart(ds) -> None:
    from corett_lib.reporting import annual

    text = _text(annual.data_quality(_ctx(ds, "CORETT", 2017)).html)
    assert "the sum of the members' figures in UNODC would be 1,688, over 8 of 9 members" in text
    assert "it is a different figure and is not added to the regional figure" in text
    assert "1,700" not in text


def test_mexico_2017_page_says_which_source_it_uses_and_why(ds) -> None:
    from corett_lib.reporting import annual

    text = _text(annual.data_quality(_ctx(ds, "MEX", 2017)).html)
    assert re.search(
        r"UNODC \(GLOTIP\) gives 970 and .* gives 1,080 \(difference \+110\); "
        r"this page uses UNODC \(GLOTIP\) because",
        text,
    )
    es = _text(annual.data_quality(_ctx(ds, "MEX", 2017, "es")).html)
    assert "esta página usa UNODC (GLOTIP) porque" in es


# --- the command line ------------------------------------------------------------------------------


def test_indicators_source_all_lists_every_source_with_the_difference(capsys) -> None:
    from corett_lib.cli import indicators as cli

    code = cli.run_cli(None, "en", ["MEX"], [2017], ["victims"], None, "csv", source="all")
    assert code == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert out[["source", "chosen", "value", "difference"]].values.tolist() == [
        ["UNODC", True, 970.0, 0.0],
        ["CORETT", False, 1080.0, 110.0],
    ]
    code = cli.run_cli(None, "en", ["CORETT"], [2017], ["victims"], None, "table", source="all")
    text = capsys.readouterr().out
    assert code == 0 and "sum of members (UNODC) 1,688" in text and "-103" in text


def test_sources_table_keeps_keys_no_source_has(facts) -> None:
    v = indicator_table(facts, countries=["MEX"], years=[2019], indicators=["prosecuted"])
    s = sources_table(facts, v)
    assert len(s) == 1 and s["source"].iloc[0] == "" and "no_data" in v["flags"].iloc[0]


def test_build_facts_is_deterministic(ds) -> None:
    ev = evaluate(ds.observations, ds.population)
    a, b = build_facts(ev).table, build_facts(ev).table
    pd.testing.assert_frame_equal(a, b)


def test_facts_sit_below_analysis_and_import_nothing_above() -> None:
    from pathlib import Path

    import corett_lib.facts

    above = re.compile(r"corett_lib\.(analysis|publishing|reporting|batch|apps|cli)\b")
    folder = Path(corett_lib.facts.__file__).parent
    offenders = [p.name for p in folder.glob("*.py") if above.search(p.read_text())]
    assert offenders == []


def test_regional_sdg_breakdown_names_the_members_of_each_part(ds) -> None:
    from corett_lib.reporting import sdg

    text = _text(sdg.breakdown(_ctx(ds, "CORETT", 2019)).html)
    # UNODC publishes the 2019 sex breakdown for five members, not the nine of the total.
    assert re.search(
        r"Detected victims of trafficking \(Female\), 2019: the sum of the figures "
        r"UNODC \(GLOTIP\) publishes for 5 of 9 members",
        text,
    )


def test_the_loads_marks_on_observations_reach_the_facts() -> None:
    # The validated load marks a part above its total (``inconsistent``) and a figure a scoped
    # error withholds (``withheld``); the facts carry both, and no share uses the part.
    def ob(value: float, sex: str = "Total", **marks: bool) -> dict:
        return {
            "source": "UNODC",
            "iso3": "HND",
            "year": 2019,
            "indicator": "Detected trafficking victims",
            "dimension": "Total",
            "category": "Total",
            "sex": sex,
            "age": "Total",
            "unit": "Counts",
            "value": value,
            "censored": False,
            "value_low": value,
            "value_high": value,
            "inconsistent": marks.get("inconsistent", False),
            "withheld": marks.get("withheld", False),
        }

    obs = pd.DataFrame([ob(84.0), ob(50.0, "Female", inconsistent=True), ob(9.0, "Male")])
    f = build_facts(evaluate(obs, pd.DataFrame(columns=["iso3", "year", "population"]),
                             members=["HND"]))  # fmt: skip
    female = f.fact("HND", 2019, "victims", "Female", disaggregation="sex")
    assert female["value"] == 50.0 and bool(female["f_inconsistent"])
    share = f.fact("HND", 2019, "women_girls_share")
    assert math.isnan(share["value"]) and bool(share["f_withheld"])
    obs = pd.DataFrame([ob(-3.0, withheld=True)])
    f = build_facts(evaluate(obs, pd.DataFrame(columns=["iso3", "year", "population"]),
                             members=["HND"]))  # fmt: skip
    total = f.fact("HND", 2019, "victims")
    assert math.isnan(total["value"]) and bool(total["f_withheld"])
    assert "withheld:validation_error" in total["notes"]


def test_a_member_without_a_population_has_its_rates_withheld_with_the_reason(ds) -> None:
    """Cook Islands (no population in the World Bank file) as a member: counts kept, rates withheld."""
    from corett_lib.core.config import members
    from corett_lib.reporting import fact_notes

    assert ds.population.query("iso3 == 'COK'").empty
    ten = [*members(), "COK"]
    f = facts_from_dataset(ds, members=ten)
    count = _row(f, "COK", 2019, "victims")
    assert bool(count["censored"]) and "withheld" not in count["flags"]  # UNODC publishes <5
    rate = _row(f, "COK", 2019, "victims_rate")
    assert math.isnan(rate["value"]) and math.isnan(rate["denominator"])
    assert {"no_population", "withheld"} <= set(rate["flags"].split(";"))
    assert rate["notes"] == "withheld:no_population"
    female = _row(f, "COK", 2019, "victims_rate", "sex", "Female")
    assert "no_population" in female["flags"].split(";") and math.isnan(female["value"])
    assert fact_notes.note(rate, "en") == (
        "withheld: no population figure for Cook Islands in World Bank WDI"
    )
    assert fact_notes.note(rate, "es") == (
        "sin valor: no hay cifra de población de Islas Cook en World Bank WDI"
    )
    # The regional rate: over the nine members with a population, and it says so.
    region = _row(f, "CORETT", 2019, "victims_rate")
    nine = "BLZ,CRI,DOM,GTM,HND,MEX,NIC,PAN,SLV"
    assert (region["coverage_n"], region["coverage_of"], region["coverage_members"]) == (
        9,
        10,
        nine,
    )
    assert "partial_coverage" in region["flags"].split(";")
    pop = ds.population.query("year == 2019 and iso3 in @nine.split(',')")["population"].sum()
    assert region["denominator"] == pop
    assert region["value"] == pytest.approx(region["numerator"] / pop * 100_000)
    # Without Cook Islands the same nine members give the same regional rate.
    assert _row(facts_from_dataset(ds), "CORETT", 2019, "victims_rate")["value"] == region["value"]
