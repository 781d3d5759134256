"""The indicator engine: registry, precedence, regional sums with coverage, censoring, reconciliation.

Figures are real: UNODC GLOTIP (export of 14 April 2025), CORETT Prevention Strategy Chart 3 (IOM &
CORETT infographics) and World Bank population; each test builds the few observations it needs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from corett_lib.cli import indicators as ind_cli
from corett_lib.core import paths
from corett_lib.dataset.loading import load_dataset
from corett_lib.dataset.registry import REGISTRY_PATH, RegistryError, load_registry
from corett_lib.facts.engine import evaluate
from corett_lib.facts.reconcile import reconciliation
from corett_lib.facts.view import indicator_table
from corett_lib.raw.reference import country_table

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = ("BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM")
VICTIMS = "Detected trafficking victims"

#: CORETT Prevention Strategy, Chart 3 (2017, 2018, 2019).
CHART3 = {
    "BLZ": (9, 17, 4),
    "CRI": (39, 30, 62),
    "SLV": (72, 46, 124),
    "HND": (150, 85, 84),
    "GTM": (316, 371, 434),
    "MEX": (1080, 706, 662),
    "NIC": (12, 32, 8),
    "PAN": (11, 54, 9),
    "DOM": (102, 96, 195),
    "CORETT": (1791, 1437, 1582),
}
#: World Bank WDI SP.POP.TOTL (data/raw/population_all.csv).
POP = {
    ("GTM", 2019): 17103803,
    ("BLZ", 2019): 385829,
    ("MEX", 2017): 123400057,
    ("MEX", 2019): 125762982,
}


def ob(source: str, iso3: str, year: int, value: float | str, **kw: str) -> dict:
    """One observation; ``value="<5"`` is censored (1 to 4)."""
    cens = value == "<5"
    v = math.nan if cens else float(value)
    row = {
        "source": source,
        "iso3": iso3,
        "country": iso3,
        "year": year,
        "indicator": kw.pop("indicator", VICTIMS),
        "dimension": "Total",
        "category": "Total",
        "sex": "Total",
        "age": "Total",
        "unit": "Counts",
        "value": v,
        "censored": cens,
        "value_low": 1.0 if cens else v,
        "value_high": 4.0 if cens else v,
        "value_text": str(value),
    }
    row.update(kw)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def pop(pairs: dict[tuple[str, int], int] | None = None) -> pd.DataFrame:
    items = (pairs or POP).items()
    return pd.DataFrame([{"iso3": k[0], "year": k[1], "population": v} for k, v in items])


def chart3_rows() -> list[dict]:
    return [
        ob("CORETT", iso3, year, v)
        for iso3, vals in CHART3.items()
        for year, v in zip((2017, 2018, 2019), vals, strict=True)
    ]


def one(table: pd.DataFrame, **where: object) -> pd.Series:
    m = pd.Series(True, index=table.index)
    for k, v in where.items():
        m &= table[k] == v
    hit = table[m]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# --- registry ----------------------------------------------------------------------------------


def test_registry_declares_the_required_indicators_in_both_languages() -> None:
    reg = load_registry()
    required = {
        "victims",
        "minors_share",
        "women_girls_share",
        "victims_rate",
        "repatriated",
        "prosecuted",
        "convicted",
        "convictions_per_prosecution",
        "victims_change",
        "victims_trend",
    }
    assert required <= set(reg.ids())
    assert reg.get("victims").disaggregations == (
        "total",
        "sex",
        "age",
        "sex_age",
        "form",
        "citizenship",
    )
    assert reg.get("victims_rate").scale == 100000
    assert reg.get("victims_rate").decimals == 2
    for ind in reg.indicators:
        assert ind.name_es and ind.definition_es and ind.name_es != ind.name_en


def test_registry_sdg_codes_exist_in_the_shipped_sdg_list() -> None:
    sdg = pd.read_csv(ROOT / "data" / "raw" / "sdg_targets.csv", dtype=str)
    known = set(sdg["code"])
    used = {c for ind in load_registry().indicators for c in ind.sdg}
    assert "16.2.2" in used
    assert used <= known, used - known


def _write(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    mutate(data)
    p = tmp_path / "registry.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_registry_rejects_an_unknown_key(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda d: d["indicators"][0].update(colour="red"))
    with pytest.raises(RegistryError, match=r"indicators\.0\.colour"):
        load_registry(p)


def test_registry_rejects_a_scale_given_as_text(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda d: d["indicators"][3].update(scale="100000"))
    with pytest.raises(RegistryError, match="scale"):
        load_registry(p)


def test_registry_rejects_a_breakdown_that_contradicts_a_filter(tmp_path: Path) -> None:
    # minors_share fixes age = 0 to 17 years; a breakdown by age would override it.
    p = _write(tmp_path, lambda d: d["indicators"][1].update(disaggregations=["total", "age"]))
    with pytest.raises(RegistryError, match=r"minors_share: disaggregation `age` overrides"):
        load_registry(p)


def test_registry_rejects_a_change_of_an_undeclared_indicator(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda d: d["indicators"][8].update(of="nope"))
    with pytest.raises(RegistryError, match=r"victims_change\.of: 'nope' is not a declared"):
        load_registry(p)


def test_registry_rejects_a_population_breakdown(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda d: d["indicators"][3].update(disaggregations=["total", "sex"]))
    with pytest.raises(RegistryError, match="population has no `sex` breakdown"):
        load_registry(p)


# --- checks with real values ----------------------------------------------------------------------


def test_guatemala_2019_victims_and_rate_per_100000() -> None:
    obs = frame([ob("UNODC", "GTM", 2019, 434), ob("CORETT", "GTM", 2019, 434)])
    t = indicator_table(obs, pop(), countries=["GTM"], years=[2019], members=MEMBERS)
    v = one(t, indicator_id="victims")
    assert (v["value"], v["source"], v["coverage"], v["flags"]) == (434.0, "UNODC", "1/1", "")
    r = one(t, indicator_id="victims_rate")
    assert round(r["value"], 2) == 2.54
    assert (r["numerator"], r["denominator"]) == (434.0, 17103803.0)
    assert r["unit"] == "per 100,000 population"


def test_corett_region_comes_from_the_published_corett_totals() -> None:
    obs = frame([*chart3_rows(), ob("UNODC", "MEX", 2017, 970)])
    t = indicator_table(obs, pop(), countries=["CORETT"], indicators=["victims"], members=MEMBERS)
    assert t["year"].tolist() == [2017, 2018, 2019]
    assert t["value"].tolist() == [1791.0, 1437.0, 1582.0]
    assert set(t["source"]) == {"CORETT"}
    assert set(t["coverage"]) == {"9/9"}
    assert set(t["flags"]) == {"published_regional"}


def test_mexico_2017_difference_is_in_the_reconciliation_table() -> None:
    obs = frame([*chart3_rows(), ob("UNODC", "MEX", 2017, 970)])
    ev = evaluate(obs, pop(), members=MEMBERS)
    shown = indicator_table(ev, countries=["MEX"], years=[2017], indicators=["victims"])
    assert (shown["value"].iloc[0], shown["source"].iloc[0]) == (970.0, "UNODC")
    rec = reconciliation(ev)
    mex = one(rec, iso3="MEX", year=2017)
    assert (mex["source"], mex["value"]) == ("UNODC", 970.0)
    assert (mex["other_source"], mex["other_value"], mex["difference"]) == ("CORETT", 1080.0, 110.0)
    assert round(mex["relative_difference"], 2) == 11.34
    # The published regional total (CORETT source) is compared with each source's own sum over
    # members, never a mix: CORETT's nine members add up to 1,791 (no difference), UNODC's one
    # member (Mexico) to 970, a partial sum (1 of 9).
    reg = one(rec, iso3="CORETT", year=2017)
    assert (reg["value"], reg["other_source"], reg["other_value"]) == (
        1791.0,
        "sum of members (UNODC)",
        970.0,
    )
    # Only real differences: 2018 and 2019 published totals equal the member sums.
    assert rec["iso3"].tolist() == ["CORETT", "MEX"]


def test_belize_2019_censored_count_yields_no_rate() -> None:
    obs = frame([ob("UNODC", "BLZ", 2019, "<5"), ob("UNODC", "GTM", 2019, 434)])
    t = indicator_table(obs, pop(), countries=["BLZ"], years=[2019], members=MEMBERS)
    v = one(t, indicator_id="victims")
    assert math.isnan(v["value"]) and (v["value_low"], v["value_high"]) == (1.0, 4.0)
    assert v["censored"] and v["flags"] == "censored"
    r = one(t, indicator_id="victims_rate")
    assert math.isnan(r["value"]) and math.isnan(r["numerator"])
    assert r["denominator"] == 385829.0
    assert r["flags"] == "censored_numerator"


# --- regional sums: coverage, ranges, never a silent zero -------------------------------------------


def test_regional_sum_states_coverage_and_shows_a_censored_sum_as_a_range() -> None:
    obs = frame(
        [
            ob("UNODC", "GTM", 2019, 434),
            ob("UNODC", "SLV", 2019, 41),
            ob("UNODC", "BLZ", 2019, "<5"),
        ]
    )
    t = indicator_table(obs, pop(), countries=["CORETT"], indicators=["victims"], members=MEMBERS)
    r = one(t, year=2019)
    assert math.isnan(r["value"])
    assert (r["value_low"], r["value_high"]) == (476.0, 479.0)
    assert (r["coverage_n"], r["coverage_of"], r["coverage"]) == (3, 9, "3/9")
    assert r["flags"] == "range;partial_coverage"
    assert r["source"] == "sum of members (UNODC)"


def test_regional_sum_without_censoring_is_a_number_with_partial_coverage() -> None:
    obs = frame([ob("UNODC", "GTM", 2019, 434), ob("UNODC", "SLV", 2019, 41)])
    three = ("GTM", "SLV", "HND")
    t = indicator_table(obs, pop(), countries=["CORETT"], indicators=["victims"], members=three)
    r = one(t, year=2019)
    assert (r["value"], r["coverage"], r["flags"]) == (475.0, "2/3", "partial_coverage")


def test_a_missing_member_year_is_no_data_not_zero() -> None:
    obs = frame([ob("UNODC", "GTM", 2019, 434)])
    t = indicator_table(
        obs, pop(), countries=["GTM"], years=[2018, 2019], indicators=["victims"], members=MEMBERS
    )
    r = one(t, year=2018)
    assert math.isnan(r["value"]) and math.isnan(r["value_low"])
    assert (r["flags"], r["coverage"], r["source"]) == ("no_data", "0/1", "")


def test_regional_ratio_uses_only_members_reporting_both_parts() -> None:
    # GTM reports victims and minors, SLV only victims: the regional share is GTM's.
    obs = frame(
        [
            ob("UNODC", "GTM", 2019, 434),
            ob("UNODC", "GTM", 2019, 377, age="0 to 17 years"),
            ob("UNODC", "SLV", 2019, 41),
        ]
    )
    t = indicator_table(
        obs, pop(), countries=["CORETT"], indicators=["minors_share"], members=("GTM", "SLV")
    )
    r = one(t, year=2019)
    assert round(r["value"], 1) == 86.9
    assert (r["numerator"], r["denominator"], r["coverage"]) == (377.0, 434.0, "1/2")


def test_region_rule_can_prefer_the_sum_over_the_published_total(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda d: d["indicators"][0].update(region=["sum", "published"]))
    obs = frame(chart3_rows())
    t = indicator_table(
        obs,
        pop(),
        countries=["CORETT"],
        years=[2019],
        indicators=["victims"],
        members=MEMBERS,
        registry=load_registry(p),
    )
    r = one(t, year=2019)
    assert (r["value"], r["source"], r["coverage"]) == (1582.0, "sum of members (CORETT)", "9/9")


# --- breakdowns, changes, languages -----------------------------------------------------------------


def test_domestic_and_foreign_citizenship_is_derived_from_the_labels() -> None:
    cit = "by citizenship"
    obs = frame(
        [
            ob("UNODC", "GTM", 2018, 371),
            ob("UNODC", "GTM", 2018, 300, dimension=cit, category="Ciudadanos de su pa\ufffds"),
            ob("UNODC", "GTM", 2018, 20, dimension=cit, category="GUATEMALTECA"),
            ob("UNODC", "GTM", 2018, 30, dimension=cit, category="HONDURE\ufffdA"),
            ob("UNODC", "GTM", 2018, "<5", dimension=cit, category="MEXICANA"),
            ob("UNODC", "GTM", 2018, 9, dimension=cit, category="Unknown"),
        ]
    )
    t = indicator_table(
        obs,
        pop(),
        countries=["GTM"],
        indicators=["victims"],
        disaggregations=["citizenship"],
        members=MEMBERS,
    )
    dom = one(t, category="Domestic")
    assert dom["value"] == 320.0
    foreign = one(t, category="Foreign")
    assert (foreign["value_low"], foreign["value_high"], foreign["flags"]) == (31.0, 34.0, "range")
    assert one(t, category="Unknown")["value"] == 9.0


def test_sex_age_breakdown_and_share_of_women_and_girls() -> None:
    obs = frame(
        [
            ob("UNODC", "SLV", 2019, 41),
            ob("UNODC", "SLV", 2019, 15, sex="Female"),
            ob("UNODC", "SLV", 2019, 11, sex="Female", age="0 to 17 years"),
            ob("UNODC", "SLV", 2019, "<5", sex="Female", age="18 years or over"),
        ]
    )
    t = indicator_table(
        obs,
        pop(),
        countries=["SLV"],
        indicators=["victims", "women_girls_share"],
        disaggregations=None,
        members=MEMBERS,
    )
    assert one(t, indicator_id="victims", category="Female, 0 to 17 years")["value"] == 11.0
    assert one(t, indicator_id="victims", disaggregation="sex", category="Female")["value"] == 15.0
    share = one(t, indicator_id="women_girls_share", disaggregation="total")
    assert round(share["value"], 1) == 36.6  # 15 / 41


def test_change_and_compound_growth_follow_the_resolved_figures() -> None:
    obs = frame(
        [
            ob("UNODC", "GTM", 2014, 273),
            ob("UNODC", "GTM", 2018, 371),
            ob("UNODC", "GTM", 2019, 434),
            ob("CORETT", "MEX", 2018, 706),
            ob("UNODC", "MEX", 2017, 970),
        ]
    )
    t = indicator_table(
        obs,
        pop(),
        countries=["GTM", "MEX"],
        indicators=["victims_change", "victims_trend"],
        members=MEMBERS,
    )
    ch = one(t, indicator_id="victims_change", iso3="GTM", year=2019)
    assert round(ch["value"], 1) == 17.0  # 434 / 371 - 1
    tr = one(t, indicator_id="victims_trend", iso3="GTM", year=2019)
    assert round(tr["value"], 2) == 9.71  # (434 / 273) ** (1/5) - 1
    mx = one(t, indicator_id="victims_change", iso3="MEX", year=2018)
    assert round(mx["value"], 1) == -27.2 and mx["flags"] == "source_changed"
    assert mx["source"] == "UNODC / CORETT"
    t3 = indicator_table(
        obs,
        pop(),
        countries=["GTM"],
        years=[2019],
        indicators=["victims_trend"],
        members=MEMBERS,
        trend_window=1,
    )
    assert round(t3["value"].iloc[0], 1) == 17.0


def test_repatriations_use_each_sources_own_selector() -> None:
    obs = frame(
        [
            ob("UNODC", "GTM", 2019, 44, dimension="by country of repatriation", category="Abroad"),
            ob(
                "UNODC",
                "GTM",
                2019,
                44,
                dimension="by country of repatriation",
                category="El Salvador",
            ),
            ob("CORETT", "CORETT", 2019, 110, indicator="Repatriated victims"),
        ]
    )
    t = indicator_table(obs, pop(), years=[2019], indicators=["repatriated"], members=MEMBERS)
    assert one(t, iso3="GTM")["value"] == 44.0
    reg = one(t, iso3="CORETT")
    assert (reg["value"], reg["source"]) == (110.0, "CORETT")
    assert reg["flags"] == "published_regional;coverage_unknown"


def test_spanish_labels_and_stable_order() -> None:
    obs = frame([ob("UNODC", "BLZ", 2018, 11), ob("UNODC", "BLZ", 2018, 11, sex="Female")])
    t = indicator_table(
        obs,
        pop(),
        countries=["BLZ", "CORETT"],
        years=[2018],
        indicators=["victims"],
        disaggregations=["total", "sex"],
        lang="es",
        members=MEMBERS,
    )
    assert t["iso3"].tolist() == ["BLZ", "BLZ", "CORETT", "CORETT"]
    assert t["label"].iloc[0] == "Víctimas de trata detectadas"
    assert t["country_label"].tolist()[:1] == ["Belice"]
    assert t["country_label"].iloc[2] == "CORETT (región)"
    assert t["category_label"].tolist() == ["Total", "Mujeres", "Total", "Mujeres"]
    assert t["unit"].iloc[0] == "personas"


# --- CLI ---------------------------------------------------------------------------------------------


class _FakeDataset:
    def __init__(self, obs: pd.DataFrame):
        self.observations = obs
        self.population = pop()
        self.countries = country_table(
            ["BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM"]
        )


@pytest.fixture
def fake_load(monkeypatch: pytest.MonkeyPatch) -> None:
    obs = frame([*chart3_rows(), ob("UNODC", "GTM", 2019, 434), ob("UNODC", "BLZ", 2019, "<5")])
    monkeypatch.setattr("corett_lib.validation.load.load", lambda data=None: _FakeDataset(obs))


def test_cli_table_in_spanish(fake_load: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = ind_cli.run_cli(None, "es", ["GTM", "BLZ"], [2019], ["victims_rate"], None, "table")
    out = capsys.readouterr().out
    assert code == 0
    assert "Víctimas detectadas por cada 100,000 habitantes" in out and "2.54" in out
    assert "Belice" in out and "numerador censurado" in out


def test_cli_json_and_csv(fake_load: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert ind_cli.run_cli(None, "en", ["BLZ", "CORETT"], [2019], ["victims"], None, "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["iso3"], r["value"], r["value_low"], r["disclosure"]) for r in rows] == [
        ("BLZ", None, None, "primary"),  # the source's <5: no bounds either
        ("CORETT", 1582.0, 1582.0, ""),
    ]
    assert ind_cli.run_cli(None, "en", ["GTM"], [2019], ["victims"], None, "csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("indicator_id,iso3,year,disaggregation,category")
    assert lines[1].startswith("victims,GTM,2019,total,Total")


def test_cli_rejects_an_unknown_country_and_indicator(
    fake_load: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ind_cli.run_cli(None, "en", ["XXX"], [], [], None, "table") == 2
    assert "unknown country ['XXX']" in capsys.readouterr().err
    assert ind_cli.run_cli(None, "en", [], [], ["nope"], None, "table") == 2
    assert ind_cli.run_cli(None, "en", [], [], [], "colour", "table") == 2


# --- the shipped data ---------------------------------------------------------------------------------


def test_shipped_data_gives_the_issue_figures() -> None:
    # Imported directly (the readers exist, in corett_lib.raw): a missing one fails, never skips.
    ds = load_dataset(paths.data_dir())  # validation has its own tests
    assert not [p for p in ds.errors if p.table == "observations"]
    ev = evaluate(ds.observations, ds.population)
    t = indicator_table(ev, years=range(2010, 2023), disaggregations=None)
    gtm = one(t, indicator_id="victims", iso3="GTM", year=2019, disaggregation="total")
    assert (gtm["value"], gtm["source"]) == (434.0, "UNODC")
    rate = one(t, indicator_id="victims_rate", iso3="GTM", year=2019, disaggregation="total")
    assert round(rate["value"], 2) == 2.54
    reg = t[(t["indicator_id"] == "victims") & (t["iso3"] == "CORETT")]
    reg = reg[reg["disaggregation"] == "total"].set_index("year")["value"]
    assert reg.loc[[2017, 2018, 2019]].tolist() == [1791.0, 1437.0, 1582.0]
    blz = one(t, indicator_id="victims_rate", iso3="BLZ", year=2019, disaggregation="total")
    assert "censored_numerator" in blz["flags"]
    rec = reconciliation(ev)
    mex = one(rec, iso3="MEX", year=2017, disaggregation="total")
    assert (mex["value"], mex["other_value"]) == (970.0, 1080.0)
    # Every member and the region answer for every year 2010-2022 (a row, even when no data).
    tot = t[(t["indicator_id"] == "victims") & (t["disaggregation"] == "total")]
    assert len(tot) == 10 * 13


def test_a_repeated_observation_key_is_an_error_not_a_double_count() -> None:
    from corett_lib.core.problems import DataError

    obs = frame([ob("UNODC", "GTM", 2019, 434), ob("UNODC", "GTM", 2019, 434)])
    with pytest.raises(DataError, match="2 observations share a key") as exc:
        evaluate(obs, pop(), members=MEMBERS)
    assert exc.value.problems[0].check == "indicator_input_unique"


def test_registry_plan_links_exist_in_the_shipped_plan_items() -> None:
    items = pd.read_csv(ROOT / "data" / "raw" / "plan_items.csv", dtype=str)
    linked = {p for ind in load_registry().indicators for p in ind.plan}
    assert linked == {"PREV.A4.O1.IND1"}
    assert linked <= set(items["id"])


def test_no_observations_at_all_gives_no_data_rows() -> None:
    from corett_lib.core.schema import OBSERVATION_COLUMNS

    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in OBSERVATION_COLUMNS})
    t = indicator_table(empty, pop(), countries=["GTM", "CORETT"], years=[2019], members=MEMBERS)
    assert len(t) == 2 * 12 and set(t["flags"]) == {"no_data"}
    assert t["value"].isna().all()
    assert one(t, indicator_id="victims", iso3="CORETT")["coverage"] == "0/9"


def test_cli_figures_read_as_on_the_pages(capsys: pytest.CaptureFixture[str]) -> None:
    """Costa Rica 2021 (shipped data): male victims <5, so the female count and the total are hidden
    (complementary, as the pages hide them), and so is every rate or change computed from them."""
    args = (None, "en", ["CRI"], [2021], ["victims", "victims_rate", "victims_change"], "sex")
    assert ind_cli.run_cli(*args, "json") == 0
    rows = {(r["indicator_id"], r["category"]): r for r in json.loads(capsys.readouterr().out)}
    assert {k: r["disclosure"] for k, r in rows.items()} == {
        ("victims", "Total"): "complementary",
        ("victims", "Female"): "complementary",
        ("victims", "Male"): "primary",
        ("victims_rate", "Total"): "derived",
        ("victims_rate", "Female"): "derived",
        ("victims_rate", "Male"): "derived",
        ("victims_change", "Total"): "derived",
        ("victims_change", "Female"): "derived",
        ("victims_change", "Male"): "derived",
    }
    assert all(r["value"] is None and r["numerator"] is None for r in rows.values())
    assert ind_cli.run_cli(*args, "table") == 0
    out = capsys.readouterr().out
    assert "<5" in out and "suppressed" in out
    assert " 20 " not in out and " 21 " not in out  # Female and the total, which give Male


def test_cli_hides_other_sources_small_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Belize 2019: UNODC <5, CORETT's own figure 4. Neither reads as a number anywhere."""
    assert ind_cli.run_cli(None, "en", ["BLZ"], [2019], ["victims"], None, "json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["disclosure"] == "primary" and row["other_sources"] == ""
    assert ind_cli.run_cli(None, "en", ["BLZ"], [2019], ["victims"], None, "table", "all") == 0
    out = capsys.readouterr().out
    assert out.count("<5") == 2 and "4" not in out.replace("2019", "")
