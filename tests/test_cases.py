"""Case-level (CTDC-format) records aggregated into observations and indicators.

The records here are hand-made and synthetic (illustrative): they describe no real person.
"""

from __future__ import annotations

import math

import pandas as pd

from corett_lib.analysis.cases import aggregate_cases, read_ctdc, synthetic_cases
from corett_lib.facts.view import indicator_table

MEMBERS = ("BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM")


def records() -> pd.DataFrame:
    """Six synthetic records: four in Guatemala 2019, one in Honduras 2020, one without country."""
    return pd.DataFrame(
        {
            "yearOfRegistration": [2019, 2019, 2019, 2019, 2020, 2019],
            "CountryOfExploitation": ["GT", "GT", "GT", "GT", "HN", None],
            "citizenship": ["GT", "HN", "-99", "GT", "HN", "GT"],
            "gender": ["Female", "Male", "Female", "Transgender/NonConforming", "-99", "Female"],
            "ageBroad": ["9--17", "30--38", "18--20", "-99", "48+", "0--8"],
            "majorityStatus": ["-99", "-99", "Minor", "Adult", "-99", "Minor"],
            "isSexualExploit": [1, 0, 1, 0, 0, 1],
            "isForcedLabour": [0, 1, 1, 0, 0, 0],
            "isOtherExploit": [0, 0, 0, 1, -99, 0],
        }
    )


def value(obs: pd.DataFrame, iso3: str, year: int, **kw: str) -> float:
    m = (obs["iso3"] == iso3) & (obs["year"] == year)
    for col in ("dimension", "category", "sex", "age"):
        m &= obs[col] == kw.get(col, "Total")
    hit = obs.loc[m, "value"]
    assert len(hit) == 1, obs[m]
    return float(hit.iloc[0])


def test_records_become_counts_with_margins() -> None:
    obs = aggregate_cases(records())
    assert obs.attrs["dropped_records"] == 1
    assert set(obs["source"]) == {"CTDC"} and not obs["censored"].any()
    assert value(obs, "GTM", 2019) == 4
    assert value(obs, "GTM", 2019, sex="Female") == 2
    assert value(obs, "GTM", 2019, sex="Other") == 1
    # majorityStatus wins over ageBroad when known: record 3 is a minor although 18--20.
    assert value(obs, "GTM", 2019, age="0 to 17 years") == 2
    assert value(obs, "GTM", 2019, sex="Female", age="0 to 17 years") == 2
    assert value(obs, "GTM", 2019, sex="Male", age="18 years or over") == 1
    assert value(obs, "HND", 2020, sex="Unknown", age="18 years or over") == 1


def test_forms_and_citizenship() -> None:
    obs = aggregate_cases(records())
    form = "by form of exploitation"
    assert value(obs, "GTM", 2019, dimension=form, category="Sexual exploitation") == 2
    assert value(obs, "GTM", 2019, dimension=form, category="Forced labour") == 2
    assert value(obs, "GTM", 2019, dimension=form, category="Other forms of exploitation") == 1
    cit = "by citizenship"
    assert value(obs, "GTM", 2019, dimension=cit, category="Nationals") == 2
    assert value(obs, "GTM", 2019, dimension=cit, category="Foreign nationals") == 1
    assert value(obs, "GTM", 2019, dimension=cit, category="Unknown") == 1
    # A flag of -99 is not a form; zero is a real zero for a country-year with records.
    assert value(obs, "HND", 2020, dimension=form, category="Other forms of exploitation") == 0


def test_a_country_year_without_records_has_no_observation() -> None:
    obs = aggregate_cases(records())
    assert not ((obs["iso3"] == "HND") & (obs["year"] == 2019)).any()
    assert sorted(set(zip(obs["iso3"], obs["year"], strict=True))) == [("GTM", 2019), ("HND", 2020)]


def test_categorical_and_text_input_give_the_same_observations(tmp_path) -> None:
    path = tmp_path / "ctdc.csv"
    records().to_csv(path, index=False)
    from_csv = aggregate_cases(read_ctdc(path))
    assert isinstance(read_ctdc(path)["gender"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(from_csv, aggregate_cases(records()))


def test_case_records_feed_the_same_indicators() -> None:
    obs = aggregate_cases(records())
    pop = pd.DataFrame({"iso3": ["GTM"], "year": [2019], "population": [17103803]})
    t = indicator_table(
        obs,
        pop,
        countries=["GTM"],
        years=[2019],
        members=MEMBERS,
        indicators=["victims", "minors_share", "victims_rate"],
        disaggregations=["total", "citizenship"],
    )
    got = {(r.indicator_id, r.category): r.value for r in t.itertuples()}
    assert got[("victims", "Total")] == 4
    assert got[("victims", "Domestic")] == 2 and got[("victims", "Foreign")] == 1
    assert got[("minors_share", "Total")] == 50.0
    assert round(got[("victims_rate", "Total")], 4) == round(4 / 17103803 * 1e5, 4)
    assert set(t["source"]) == {"CTDC"}


def test_synthetic_records_are_seeded() -> None:
    a, b = synthetic_cases(5000, seed=7), synthetic_cases(5000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(synthetic_cases(5000, seed=8))
    obs = aggregate_cases(a)
    totals = obs[(obs["dimension"] == "Total") & (obs["sex"] == "Total") & (obs["age"] == "Total")]
    assert totals["value"].sum() == 5000
    assert sorted(totals["iso3"].unique()) == sorted(MEMBERS)
    assert not math.isnan(totals["value"].max())
