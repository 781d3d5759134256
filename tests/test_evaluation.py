"""Evaluation rules on a hand-made monitoring fixture, with the expected verdict of each question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.analysis import evaluation
from corett_lib.analysis.evaluation import Evidence, answer, grade
from corett_lib.core import config
from corett_lib.core.paths import monitoring_dir, raw_path
from corett_lib.dataset.monitoring import load_monitoring
from corett_lib.raw.plans import read_plan_items

FIXTURES = Path(__file__).parent / "fixtures" / "monitoring"

#: tests/fixtures/monitoring/evaluation_gtm_2021.csv, GTM, period 2019-2021. Why each verdict:
EXPECTED: dict[str, str] = {
    # 3 of 4 series rose (victims, prosecuted, convicted; repatriated fell)
    "EQ1": "yes",
    # costs of managing resources are not collected
    "EQ6": "not_enough_evidence",
    # objectives: A1.O1 and A3.O5 (Chart 3 evidence) achieved, A4.O6 partly, A2.O2 and A4.O8 not,
    # three without evidence: 5 of 8 judged
    "EQ3": "partly",
    # axes A1, A3 (evidence), A4 delivered; A2 reported zero
    "EQ4": "partly",
    # newsletters 5 but technical sheets 0; 1 of 3 related activities on time
    "EQ5": "partly",
    # newsletters above zero in 2020 and still in 2021
    "EQ8": "yes",
    # 4 of 15 indicators reported: fewer than half
    "FQ1": "not_enough_evidence",
    # objective 6 had completed activities and its newsletters rose above zero
    "FQ2": "yes",
    # 1 of 3 activities on time (< 50 %)
    "FQ3": "no",
    # newsletters yes, technical sheets zero
    "FQ4": "partly",
    # 1 of 2 late activities has a recorded cause
    "FQ5": "partly",
    "FQ6": "not_enough_evidence",
    # the internal-evaluation questions: achievements read like EQ3, causes like FQ5
    "EQ9": "partly",
    "EQ13": "partly",
    "EQ18": "partly",
    "EQ11": "partly",
    "EQ14": "partly",
    "EQ20": "partly",
    # data nobody collects yet
    "EQ2": "not_enough_evidence",
    "EQ7": "not_enough_evidence",
    "EQ10": "not_enough_evidence",
    "EQ12": "not_enough_evidence",
    "EQ15": "not_enough_evidence",
    "EQ16": "not_enough_evidence",
    "EQ17": "not_enough_evidence",
    "EQ19": "not_enough_evidence",
}

SERIES = pd.DataFrame(
    {
        "indicator_id": [
            "victims",
            "victims",
            "prosecuted",
            "prosecuted",
            "convicted",
            "convicted",
            "repatriated",
            "repatriated",
        ],
        "year": [2018, 2021, 2018, 2021, 2017, 2020, 2018, 2021],
        "value": [100.0, 150.0, 10.0, 20.0, 5.0, 8.0, 4.0, 2.0],
        "source": ["UNODC"] * 8,
    }
)


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")[0]


@pytest.fixture(scope="module")
def monitoring(items: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    data = tmp_path_factory.mktemp("data")
    (data / "monitoring").mkdir()
    shutil.copy(FIXTURES / "evaluation_gtm_2021.csv", data / "monitoring" / "collected.csv")
    table, problems = load_monitoring(data, illustrative=False, plan_items=items)
    assert [p.check for p in problems] == ["cause_of_delay_present"]  # RM.A4.O8.ACT1, a warning
    return table


@pytest.fixture(scope="module")
def ev(items: pd.DataFrame, monitoring: pd.DataFrame) -> Evidence:
    return Evidence(
        items, monitoring, country="GTM", year=2021, members=config.members(), series=SERIES
    )


@pytest.mark.parametrize("qid", sorted(EXPECTED))
def test_verdict_of_each_question_on_the_fixture(ev: Evidence, qid: str) -> None:
    assert answer(ev, qid).verdict == EXPECTED[qid]


def test_every_verdict_occurs_at_least_once() -> None:
    assert set(EXPECTED.values()) == set(evaluation.VERDICTS)


def test_rationales_name_the_evidence_in_both_languages(ev: Evidence) -> None:
    a = answer(ev, "FQ3")
    assert (
        a.rationale("en") == "1 of 3 activities due by the end of 2021 were on time; 2 were late."
    )
    assert a.rationale("es") == (
        "1 de 3 actividades con plazo hasta fines de 2021 se hicieron a tiempo; 2 con retraso."
    )
    assert answer(ev, "FQ5").rationale("en") == (
        "1 of 2 late activities have a recorded cause: Funds arrived late (1)."
    )
    assert "3 of 4 published series rose" in answer(ev, "EQ1").rationale("en")
    assert "better detection" in answer(ev, "EQ1").rationale("en")


def test_evidence_chain_goes_from_question_to_values_source_validation_and_rule(
    ev: Evidence,
) -> None:
    chain = answer(ev, "FQ4").chain.set_index("item_id")
    news = chain.loc["RM.A4.O6.IND3"]
    assert news["values_by_year"] == "2020: 2; 2021: 3"
    assert news["value"] == 5.0
    assert news["source"] == "hand-made fixture"
    assert news["validation"] == "passed checks"
    assert news["rule"] == "R-MATERIALS"
    assert news["scope"] == "GTM"


def test_other_members_rows_stay_out_of_a_members_scope(ev: Evidence) -> None:
    ind = ev.indicators().set_index("id")
    assert ind.at["RM.A1.O1.IND1", "actual"] == 1.0  # HND's 9 is not GTM's


def test_effects_need_two_comparable_series(ev: Evidence, items: pd.DataFrame) -> None:
    only_victims = SERIES[SERIES["indicator_id"] == "victims"]
    ev1 = Evidence(
        items, ev.rows, country="GTM", year=2021, members=config.members(), series=only_victims
    )
    a = answer(ev1, "EQ1")
    assert (a.verdict, a.grade) == ("not_enough_evidence", "weak")
    falling = SERIES.assign(value=[9.0, 1.0] * 4)
    ev2 = Evidence(
        items, ev.rows, country="GTM", year=2021, members=config.members(), series=falling
    )
    assert answer(ev2, "EQ1").verdict == "no"


def test_grades(ev: Evidence) -> None:
    assert answer(ev, "FQ3").grade == "strong"  # every due activity documented
    assert answer(ev, "EQ1").grade == "moderate"  # a proxy is at most moderate
    assert answer(ev, "EQ6").grade == "none"
    assert grade(0.4, 1.0) == "weak"


def test_monitoring_matrix_shows_availability_per_objective(ev: Evidence) -> None:
    from corett_lib.raw.evaluation_framework import read_monitoring_matrix

    mm, _ = read_monitoring_matrix(raw_path("monitoring_matrix"), "raw/monitoring_matrix.csv")
    out = evaluation.monitoring_matrix(ev, mm).set_index("objective_id")
    assert out.at["RM.A3.O5", "available"] == "yes"
    assert out.at["RM.A3.O5", "member_years_available"] == "1/1"
    assert out.at["RM.A1.O1", "available"] == ""


def test_chain_counts_rows_with_validation_warnings(ev: Evidence) -> None:
    chain = answer(ev, "FQ3").chain.set_index("item_id")
    assert chain["warnings"].to_dict() == {
        "RM.A4.O6.ACT1": 0,
        "RM.A4.O6.ACT2": 0,
        "RM.A4.O8.ACT1": 1,  # late, no cause recorded
    }
    assert chain.at["RM.A4.O8.ACT1", "values_by_year"] == "GTM 2021 \u2717"


def test_followup_lists_activities_on_time_and_late_with_causes(ev: Evidence) -> None:
    acts = evaluation.followup_activities(ev)
    assert acts["plan_item_id"].tolist() == ["RM.A4.O6.ACT1", "RM.A4.O6.ACT2", "RM.A4.O8.ACT1"]
    assert acts["on_time"].tolist() == ["yes", "no", "no"]
    assert acts["cause_of_delay"].tolist() == ["", "Funds arrived late", ""]


def test_every_question_of_the_framework_has_a_rule_except_the_placeholder() -> None:
    from corett_lib.raw.evaluation_framework import (
        read_evaluation_questions,
        read_followup_questions,
    )

    q, _ = read_evaluation_questions(raw_path("evaluation_questions"), "x")
    f, _ = read_followup_questions(raw_path("followup_questions"), "x")
    missing = sorted(set(q["id"]) | set(f["id"]) - set(evaluation.RULES))
    assert [m for m in missing if m not in evaluation.RULES] == ["FQ7"]


def test_expected_verdicts_cover_every_question_with_a_rule() -> None:
    assert set(EXPECTED) == set(evaluation.RULES)


def test_the_region_sums_its_members(items: pd.DataFrame, monitoring: pd.DataFrame) -> None:
    region = Evidence(items, monitoring, country="CORETT", year=2021, members=config.members())
    ind = region.indicators().set_index("id")
    assert ind.at["RM.A1.O1.IND1", "actual"] == 10.0  # GTM 1 + HND 9
    assert ind.at["RM.A1.O1.IND1", "values_by_year"] == "2020: 10"
    assert answer(region, "FQ4").chain["scope"].iloc[0] == "CORETT (9 members)"


@pytest.mark.slow
def test_report_sections_render_in_both_languages_with_the_banner_only_when_illustrative(
    tmp_path: Path,
) -> None:
    from corett_lib.dataset.monitoring import ILLUSTRATIVE_FILE
    from corett_lib.reporting import evaluation as er

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "fixtures" / "good", data)
    for name in ("evaluation_questions", "followup_questions", "monitoring_matrix"):
        shutil.copy(raw_path(name), data / "raw")
    (data / "monitoring").mkdir()
    shutil.copy(FIXTURES / "evaluation_gtm_2021.csv", data / "monitoring" / "collected.csv")
    sections = (er.title, er.summary, er.dac_frame, er.questions, er.effects, er.followup,
                er.activities, er.targets, er.matrix, er.method)  # fmt: skip
    e = er.open_evaluation("GTM", 2021, "es", data=str(data))
    html = "".join(f(e).html for f in sections)
    assert not e.illustrative and "ILUSTRATIV" not in html
    assert "¿Las actividades se están realizando dentro de los plazos definidos?" in html
    assert "Funds arrived late" in html
    shutil.copy(monitoring_dir() / ILLUSTRATIVE_FILE, data / "monitoring")
    e = er.open_evaluation("HND", 2021, "en", data=str(data))  # HND 2020 collected; 2019, 2021 not
    html = "".join(f(e).html for f in sections)
    assert e.illustrative
    assert html.count("corett-illustrative") == 7  # title and every section showing monitoring data
