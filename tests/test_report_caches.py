"""What the report sections keep between calls (issue 19, cell time): never another build's or country-year's.

The kernel runs report after report with ``%reset -f`` between them, but the modules stay imported:
every cache is keyed on the very objects it was computed from (the facts, the dataset, the quality
flags, the review) and on the country and year, and holds one of them at a time.
"""

from __future__ import annotations

from types import SimpleNamespace

import observations
import pandas as pd
import pytest

from corett_lib.analysis import quality
from corett_lib.analysis.evaluation import Evidence
from corett_lib.facts.engine import evaluate
from corett_lib.facts.table import Facts, build_facts
from corett_lib.facts.view import indicator_table
from corett_lib.reporting import context, fact_notes


def _facts(victims: dict[tuple[str, int], float]) -> Facts:
    """Facts of detected victims (UNODC) per country and year, as the indicator doctests build them."""
    obs = observations.obs(
        *(
            (iso3, year, "Total", "Total", "Total", "Total", f"{v:g}", n)
            for n, ((iso3, year), v) in enumerate(victims.items(), start=2)
        )
    )
    pop = pd.DataFrame(columns=["iso3", "year", "population"])
    return build_facts(evaluate(obs, pop, members=sorted({c for c, _ in victims})))


def _victims(f: Facts, iso3: str, years: list[int], lang: str = "en") -> list[float]:
    t = indicator_table(f, countries=[iso3], years=years, indicators=["victims"], lang=lang)
    return t["value"].tolist()


def test_indicator_table_reads_its_own_facts_object():
    # Guatemala 2019: 434 detected victims (GLOTIP); another build's facts say 500.
    a = _facts({("GTM", 2019): 434.0, ("HND", 2019): 84.0})
    b = _facts({("GTM", 2019): 500.0, ("HND", 2019): 84.0})
    assert _victims(a, "GTM", [2019]) == [434.0]
    assert _victims(b, "GTM", [2019]) == [500.0]
    assert _victims(a, "GTM", [2019]) == [434.0]
    # another country or year of the same facts is its own selection
    assert _victims(a, "HND", [2019]) == [84.0]
    v = indicator_table(a, countries=["GTM"], years=[2018, 2019], indicators=["victims"])
    assert v["year"].tolist() == [2018, 2019]
    assert v["flags"].tolist()[0] == "no_data" and v["value"].isna().tolist() == [True, False]


def test_indicator_table_same_rows_in_both_languages_and_fresh_copies():
    f = _facts({("GTM", 2018): 316.0, ("GTM", 2019): 434.0, ("HND", 2019): 84.0})
    en = indicator_table(f, countries=["GTM", "HND"], years=[2017, 2019], indicators=["victims"])
    es = indicator_table(
        f, countries=["GTM", "HND"], years=[2017, 2019], indicators=["victims"], lang="es"
    )
    key = ["iso3", "year", "value"]
    assert en[key].equals(es[key])
    assert en["iso3"].tolist() == ["GTM", "GTM", "HND", "HND"]  # the requested order
    assert en["country_label"].tolist()[0] == "Guatemala"
    assert es["label"].iloc[0] != en["label"].iloc[0]  # each language its labels
    en.loc[0, "value"] = -1.0  # a caller changing its table changes no other caller's
    again = indicator_table(f, countries=["GTM", "HND"], years=[2017, 2019], indicators=["victims"])
    assert again["value"].tolist()[:2] == [pytest.approx(float("nan"), nan_ok=True), 434.0]
    assert again["flags"].tolist()[0] == "no_data"


def _owner(ds: object, snapshot: str, country: str, year: int) -> SimpleNamespace:
    return SimpleNamespace(ds=ds, snapshot=snapshot, country=country, year=year)


def test_shared_is_kept_for_one_country_year_of_one_dataset_and_snapshot():
    ds, snap = object(), "/cache/dataset-1.json"
    calls: list[str] = []

    def compute(tag: str):
        return lambda: calls.append(tag) or tag

    gtm = _owner(ds, snap, "GTM", 2019)
    assert context.shared(gtm, "t", compute("a")) == "a"
    assert context.shared(_owner(ds, snap, "GTM", 2019), "t", compute("b")) == "a"  # es page
    assert calls == ["a"]
    assert context.shared(_owner(ds, snap, "HND", 2019), "t", compute("c")) == "c"
    assert context.shared(_owner(ds, snap, "HND", 2020), "t", compute("d")) == "d"
    assert context.shared(_owner(object(), snap, "HND", 2020), "t", compute("e")) == "e"
    assert (
        context.shared(_owner(ds, "/cache/dataset-2.json", "HND", 2020), "t", compute("f")) == "f"
    )
    # one country-year at a time: back to Guatemala 2019 computes again
    assert context.shared(gtm, "t", compute("g")) == "g"
    assert calls == ["a", "c", "d", "e", "f", "g"]


def _flag_rows(iso3: str, value: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": [iso3, iso3],
            "year": [2019, 2019],
            "indicator_id": ["victims", "victims_rate"],
            "disaggregation": ["total", "total"],
            "category": ["Total", "Total"],
            "source": ["UNODC", "UNODC"],
            "rule": ["slip_year", value],
        }
    )


def test_quality_flags_index_follows_the_flag_table():
    facts = pd.DataFrame(
        {
            "iso3": ["GTM", "GTM", "HND"],
            "year": [2019, 2018, 2019],
            "indicator_id": ["victims", "victims", "victims"],
            "disaggregation": ["total"] * 3,
            "category": ["Total"] * 3,
            "source": ["UNODC"] * 3,
        }
    )
    a = SimpleNamespace(quality_flags=_flag_rows("GTM", "outlier"))
    b = SimpleNamespace(quality_flags=_flag_rows("HND", "outlier"))
    assert fact_notes.quality_flagged(a, facts).tolist() == [True, False, False]
    assert fact_notes.quality_flagged(b, facts).tolist() == [False, False, True]
    rows = fact_notes.quality_rows(a, facts)
    assert rows[["iso3", "rule"]].values.tolist() == [["GTM", "slip_year"]]
    assert rows.index.tolist() == [0]
    assert fact_notes.quality_rows(b, facts.iloc[:2]).empty


def _review(flags: pd.DataFrame) -> quality.QualityReview:
    empty = pd.DataFrame()
    return quality.QualityReview(flags, empty, empty, quality.load_rules(), ("GTM", "HND"))


def test_flags_for_follows_the_review_and_returns_copies():
    cols = {c: "" for c in quality.FLAG_KEY if c not in ("iso3", "year")}
    flags_a = pd.DataFrame(
        [
            {**cols, "iso3": "GTM", "year": 2019, "severity": quality.SEVERITIES[-1]},
            {**cols, "iso3": "HND", "year": 2019, "severity": quality.SEVERITIES[0]},
        ]
    )
    a = _review(flags_a)
    b = _review(flags_a[flags_a["iso3"] == "HND"].reset_index(drop=True))
    assert quality.flags_for(a, 2019, "GTM")["iso3"].tolist() == ["GTM"]
    assert quality.flags_for(b, 2019, "GTM").empty  # another review, not the last one's rows
    assert quality.flags_for(a, 2019)["iso3"].tolist() == ["GTM", "HND"]  # member order
    got = quality.flags_for(a, 2019, "GTM")
    got.loc[0, "iso3"] = "XXX"
    assert quality.flags_for(a, 2019, "GTM")["iso3"].tolist() == ["GTM"]


def test_evidence_rows_of_follows_its_rows():
    ev = Evidence.__new__(Evidence)
    ev._by_item = None
    ev.rows = pd.DataFrame({"plan_item_id": ["A", "B", "A"], "value": [1.0, 2.0, 3.0]})
    assert ev.rows_of("A")["value"].tolist() == [1.0, 3.0]
    assert ev.rows_of("C").empty and list(ev.rows_of("C").columns) == ["plan_item_id", "value"]
    ev.rows = ev.rows.iloc[1:]
    assert ev.rows_of("A")["value"].tolist() == [3.0]
