"""The one rule of parts and totals (issue 13): the observation check and the fact rule share it.

Every case is its own small table with real figures of the UNODC GLOTIP export (14 April 2025; export
rows as in the workbook):

* Honduras 2019, detected victims: Female 79 + Male 9 = 88 against a total of 84; ages 22 + 62 = 84;
* Belize 2017, victims 18 or over: Female 7 = Total 7, Male and Other ``<5``;
* Albania 2019, victims of forced labour: Female 0-17 = 8 against a total of ``<5``;
* El Salvador 2019, detected victims: Female 15, Male 11, Other ``<5``, total 41;
* Honduras 2018, detected victims: the sex-and-age cells 22 + 6 + 5 + 37 = 70 against a total of 64;
* Dominican Republic 2014, detected victims by citizenship: Dominican Republic 133 + Haiti 27 +
  China ``<5`` against a total of 147.
"""

from __future__ import annotations

import math

import numpy as np
import observations
import pandas as pd

from corett_lib.dataset.registry import load_registry
from corett_lib.facts import rules
from corett_lib.facts.engine import evaluate
from corett_lib.facts.table import build_facts
from corett_lib.validation import checks, partitions

T = "Total"
KID, ADULT = "0 to 17 years", "18 years or over"


def obs(iso3: str, year: int, *rows: tuple[str, str, str, str, str, int]) -> pd.DataFrame:
    """Observations of one country-year from (dimension, category, sex, age, value_text, source_row)."""
    return observations.obs(*((iso3, year, *r) for r in rows))


def flagged(table: pd.DataFrame) -> list[int]:
    """The export rows the observation rule flags."""
    return table.loc[checks.inconsistent_parts(table), "source_row"].tolist()


def reported(table: pd.DataFrame) -> list[tuple[str, tuple[int, ...]]]:
    """The observation check's warnings: (check, rows)."""
    out = []
    for p in checks.disaggregation_checks(table):
        assert p.severity == "warning" and "never used for a share or rate" in p.message
        out.append((p.check, p.rows))
    return out


def fact(iso3: str, disagg: str, category: str, value: float, censored: bool = False, **kw) -> dict:
    """A resolved count figure of the engine (victims, 2019, UNODC)."""
    return {
        "ind": "victims",
        "iso3": iso3,
        "year": 2019,
        "disagg": disagg,
        "category": category,
        "value": math.nan if censored else value,
        "value_low": kw.get("low", 1.0 if censored else value),
        "value_high": kw.get("high", 4.0 if censored else value),
        "censored": censored,
        "source": kw.get("source", "UNODC"),
        "source_id": kw.get("source", "UNODC"),
        "coverage_members": kw.get("members", iso3),
        "member_sources": "UNODC",
    }


HND_2019 = obs(
    "HND",
    2019,
    (T, T, T, T, "84", 19878),
    (T, T, "Female", T, "79", 49649),
    (T, T, "Male", T, "9", 49650),
    (T, T, T, KID, "22", 19876),
    (T, T, T, ADULT, "62", 19877),
)


# --- one declaration ---------------------------------------------------------------------------------


def test_the_facts_check_the_partitions_the_observations_check() -> None:
    assert [p.name for p in partitions.PARTITIONS] == [
        "sex",
        "age",
        "sex_age",
        "form",
        "citizenship",
    ]
    assert rules.ADDITIVE == ("sex", "age", "sex_age", "citizenship")
    assert rules.OVERLAPPING == ("form",)
    # The facts' breakdowns are the registry's: every one but the total is a partition.
    declared = load_registry().disaggregations
    assert set(declared) - {"total"} == set(partitions.BY_NAME)
    # ... and their parts are the partitions' parts.
    assert declared["sex"].sex == declared["sex_age"].sex == partitions.SEX_PARTS
    assert declared["age"].age == declared["sex_age"].age == partitions.AGE_PARTS
    assert declared["form"].dimension == partitions.FORMS_DIMENSION
    assert declared["citizenship"].dimension == partitions.CITIZENSHIP_DIMENSION


def test_the_comparison_counts_a_censored_part_as_zero_and_a_total_at_its_upper_bound() -> None:
    group = np.zeros(3, dtype=np.int64)
    totals = np.array([True, False, False])
    # Belize 2017, victims 18 or over: Total 7, Female 7, Male <5 (floor 0).
    low = partitions.floor(np.array([7.0, 7.0, 1.0]), np.array([False, False, True]))
    assert low.tolist() == [7.0, 7.0, 0.0]
    bad, compared = partitions.above_total(
        group, ~totals, totals, low, np.array([7.0, 7.0, 4.0]), summed=True
    )
    assert bad.tolist() == [False, False, False] and compared[1:].tolist() == [7.0, 7.0]
    # Albania 2019, forced labour: a total of <5 gives 4; a part of 8 is above it.
    bad, _ = partitions.above_total(
        group[:2], np.array([False, True]), np.array([True, False]),
        np.array([0.0, 8.0]), np.array([4.0, 8.0]), summed=False,
    )  # fmt: skip
    assert bad.tolist() == [False, True]


# --- Honduras 2019: both parts flagged, the share withheld --------------------------------------------


def test_honduras_2019_both_sex_parts_are_flagged_on_the_observations() -> None:
    assert flagged(HND_2019) == [49649, 49650]
    assert reported(HND_2019) == [("sex_parts_within_total", (19878, 49649, 49650))]
    [problem] = checks.disaggregation_checks(HND_2019)
    assert "add up to at least 88 (Female = 79; Male = 9), above the total of 84" in problem.message


def test_honduras_2019_the_share_of_women_and_girls_is_withheld_in_the_facts() -> None:
    table = HND_2019.assign(inconsistent=checks.inconsistent_parts(HND_2019))
    pop = pd.DataFrame({"iso3": ["HND"], "year": [2019], "population": [9746115]})
    f = build_facts(evaluate(table, pop, members=["HND"]))
    female = f.fact("HND", 2019, "victims", "Female", disaggregation="sex")
    assert female["value"] == 79.0 and bool(female["f_inconsistent"])
    assert "parts_above_total:sex" in female["notes"]
    share = f.fact("HND", 2019, "women_girls_share", "Total")
    assert math.isnan(share["value"]) and bool(share["f_withheld"])  # never 94.05 %
    assert "withheld:inconsistent_parts" in share["notes"]
    minors = f.fact("HND", 2019, "minors_share", "Total")  # 22 of 84: the ages are consistent
    assert round(minors["value"], 2) == 26.19 and not minors["f_withheld"]


# --- a part equal to its total; a censored part; a range total ----------------------------------------


def test_a_part_equal_to_its_total_is_not_flagged() -> None:
    # Honduras 2019: 22 + 62 = 84 exactly (the age groups).
    ages = HND_2019[HND_2019["sex"].eq(T)]
    assert flagged(ages) == [] and reported(ages) == []
    out = rules.inconsistent_facts(
        pd.DataFrame([fact("HND", "total", T, 84.0), fact("HND", "age", KID, 22.0),
                      fact("HND", "age", ADULT, 62.0)]),
        load_registry(),
    )  # fmt: skip
    assert not out["inconsistent"].any()


def test_a_censored_part_is_never_evidence() -> None:
    # Belize 2017, 18 or over: Female 7 = Total 7 while Male and Other are <5 (bounds 1..4).
    blz = obs(
        "BLZ",
        2017,
        (T, T, "Female", ADULT, "7", 5745),
        (T, T, "Male", ADULT, "<5", 5747),
        (T, T, "Other", ADULT, "<5", 5749),
        (T, T, T, ADULT, "7", 5751),
    )
    assert flagged(blz) == [] and reported(blz) == []
    r = pd.DataFrame([fact("BLZ", "total", T, 7.0), fact("BLZ", "sex", "Female", 7.0),
                      fact("BLZ", "sex", "Male", 0.0, censored=True),
                      fact("BLZ", "sex", "Other", 0.0, censored=True)])  # fmt: skip
    assert not rules.inconsistent_facts(r, load_registry())["inconsistent"].any()


def test_a_range_total_is_compared_at_its_upper_bound() -> None:
    # Albania 2019, forced labour: the total is <5 (at most 4); Female 0-17 is 8.
    alb = obs(
        "ALB",
        2019,
        ("by form of exploitation", "Forced labour", "Female", KID, "8", 454),
        ("by form of exploitation", "Forced labour", "Male", KID, "<5", 456),
        ("by form of exploitation", "Forced labour", T, KID, "<5", 458),
    )
    assert flagged(alb) == [454, 456]
    assert reported(alb) == [("sex_parts_within_total", (454, 456, 458))]
    # A regional sum that is a range (CORETT 2019, six members: 817-820) holds parts up to 820.
    total = fact("CORETT", "total", T, 0.0, censored=True, low=817.0, high=820.0)
    for female, bad in ((820.0, False), (821.0, True)):
        r = pd.DataFrame([total, fact("CORETT", "sex", "Female", female)])
        assert rules.inconsistent_facts(r, load_registry())["inconsistent"].tolist() == [False, bad]


# --- a regional sum --------------------------------------------------------------------------------------


def test_a_regional_sum_over_an_inconsistent_member_part_is_inconsistent() -> None:
    # Honduras 2019 (79 + 9 > 84) and El Salvador 2019 (15 + 11 + <5 <= 41), summed.
    both = {"source": "sum of members (UNODC)", "members": "HND,SLV"}
    r = pd.DataFrame(
        [
            fact("HND", "total", T, 84.0),
            fact("HND", "sex", "Female", 79.0),
            fact("HND", "sex", "Male", 9.0),
            fact("SLV", "total", T, 41.0),
            fact("SLV", "sex", "Female", 15.0),
            fact("SLV", "sex", "Male", 11.0),
            fact("SLV", "sex", "Other", 0.0, censored=True),
            fact("CORETT", "total", T, 125.0, **both),
            fact("CORETT", "sex", "Female", 94.0, **both),
            fact("CORETT", "sex", "Male", 20.0, **both),
        ]
    )
    out = rules.inconsistent_facts(r, load_registry())
    assert out["inconsistent"].tolist() == [False, True, True] + [False] * 4 + [False, True, True]
    assert out["note"].tolist()[-2:] == ["member_inconsistent;", "member_inconsistent;"]
    assert out["note"].iloc[1] == "parts_above_total:sex;"


# --- where the two implementations disagreed ------------------------------------------------------------


def test_honduras_2018_sex_and_age_cells_above_the_total_are_flagged_on_the_observations() -> None:
    # 22 + 6 + 5 + 37 = 70 > 64. The fact rule always flagged these cells (breakdown sex_age); the
    # observation check only compared them with their margins (27 and 43 by age, which are exact).
    hnd = obs(
        "HND",
        2018,
        (T, T, "Female", KID, "22", 19847),
        (T, T, "Female", ADULT, "6", 19848),
        (T, T, "Male", KID, "5", 19849),
        (T, T, "Male", ADULT, "37", 19850),
        (T, T, T, T, "64", 19853),
    )
    assert flagged(hnd) == [19847, 19848, 19849, 19850]
    assert reported(hnd) == [("sex_age_parts_within_total", (19847, 19848, 19849, 19850, 19853))]


def test_dominican_republic_2014_citizenships_above_the_total_are_flagged() -> None:
    # 133 + 27 + <5 >= 160 > 147: every citizenship is flagged, the total is not.
    dom = obs(
        "DOM",
        2014,
        (T, T, T, T, "147", 13139),
        ("by citizenship", "China", T, T, "<5", 13140),
        ("by citizenship", "Dominican Republic", T, T, "133", 13141),
        ("by citizenship", "Haiti", T, T, "27", 13142),
    )
    assert flagged(dom) == [13140, 13141, 13142]
    assert reported(dom) == [("citizenship_within_total", (13139, 13140, 13141, 13142))]
    # On the facts the foreigners are a range (Haiti 27 + China <5 = 28-31), which counts 0: the
    # fact rule alone cannot see the excess, so the facts take it from the observations' marks.
    r = pd.DataFrame([fact("DOM", "total", T, 147.0), fact("DOM", "citizenship", "Domestic", 133.0),
                      fact("DOM", "citizenship", "Foreign", 0.0, censored=True, low=28.0,
                           high=31.0)])  # fmt: skip
    assert not rules.inconsistent_facts(r, load_registry())["inconsistent"].any()
    table = dom.assign(inconsistent=checks.inconsistent_parts(dom))
    f = build_facts(evaluate(table, pd.DataFrame(columns=["iso3", "year", "population"]),
                             members=["DOM"]))  # fmt: skip
    for category in ("Domestic", "Foreign"):
        assert bool(
            f.fact("DOM", 2014, "victims", category, disaggregation="citizenship")["f_inconsistent"]
        )
    assert not f.fact("DOM", 2014, "victims", T)["f_inconsistent"]
