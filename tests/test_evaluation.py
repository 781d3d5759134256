"""Evaluation answers: each question answered in the form it asks for, on a hand-made monitoring
fixture (tests/fixtures/monitoring/evaluation_gtm_2021.csv) and on the shipped data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.analysis import evaluation
from corett_lib.analysis.evaluation import (
    FORMS,
    RULE_PARAMS,
    RULES,
    Evidence,
    answer,
    answer_all,
    grade,
    grade_text,
    rule_text,
    slope,
)
from corett_lib.analysis.status import status_text
from corett_lib.core import config
from corett_lib.core.paths import raw_path
from corett_lib.dataset.monitoring import load_monitoring
from corett_lib.raw.evaluation_framework import (
    ANSWER_TYPES,
    read_evaluation_questions,
    read_followup_questions,
)
from corett_lib.raw.plans import read_plan_items

FIXTURES = Path(__file__).parent / "fixtures" / "monitoring"

#: Published series for the effects question: five years before the plan, three in it.
SERIES = pd.DataFrame(
    {
        "indicator_id": ["victims"] * 8
        + ["prosecuted"] * 8
        + ["convicted"] * 8
        + ["repatriated"] * 2,
        "year": [*range(2014, 2022)] * 3 + [2018, 2021],
        "value": [
            *(100, 110, 120, 130, 140, 150, 170, 190),
            *(10, 10, 10, 10, 10, 20, 30, 40),
            *(5, 6, 7, 8, 9, 9, 9, 9),
            *(4, 2),
        ],
        "source": ["UNODC"] * 26,
    }
)

#: The fixture, GTM, period 2019-2021, with the shipped plan (no indicator has a target). Why:
EXPECTED: dict[str, str] = {
    # victims +20/yr in 2019-21 against +10/yr in 2014-18, prosecuted +10 against 0: faster;
    # convicted 0 against +1: not faster; repatriated has one year before the plan: not comparable
    "EQ1": "partly",
    # no indicator of the resource-mobilization plan has a target: no objective can be achieved
    "EQ3": "not_enough_evidence",
    "EQ18": "not_enough_evidence",
    "FQ1": "not_enough_evidence",
    # the plan measures no outcome per axis
    "EQ4": "not_enough_evidence",
    # 1 of 3 related activities on time, newsletters delivered: partly (no target: never yes)
    "EQ5": "partly",
    # no needed quantity (target) for newsletters and technical sheets
    "FQ4": "not_enough_evidence",
    # newsletters above zero in 2020 and still in 2021 (1 of 1)
    "EQ8": "yes",
    # lists: newsletters 5 and concept note 1 delivered
    "EQ9": "items",
    # one late activity has a recorded cause (a circumstance that hindered)
    "EQ11": "yes",
    # lists: two indicators at zero, one activity not completed, one completed late
    "EQ13": "items",
    # one cause recorded: "Funds arrived late"
    "EQ14": "findings",
    "EQ20": "items",
    "FQ5": "items",
    # objective 6 had a completed activity and newsletters above zero
    "FQ2": "yes",
    # 1 of 3 activities on time (< 50 %)
    "FQ3": "no",
    # data nobody collects yet
    **dict.fromkeys(evaluation.NEEDS, "not_enough_evidence"),
}


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")[0]


@pytest.fixture(scope="module")
def forms() -> dict[str, str]:
    q, _ = read_evaluation_questions(raw_path("evaluation_questions"), "x")
    f, _ = read_followup_questions(raw_path("followup_questions"), "x")
    both = pd.concat([q, f], ignore_index=True)
    return dict(zip(both["id"], both["answer_type"], strict=True))


@pytest.fixture(scope="module")
def questions() -> pd.DataFrame:
    q, _ = read_evaluation_questions(raw_path("evaluation_questions"), "x")
    f, _ = read_followup_questions(raw_path("followup_questions"), "x")
    return pd.concat([q, f], ignore_index=True)


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


@pytest.fixture(scope="module")
def with_targets(items: pd.DataFrame, monitoring: pd.DataFrame) -> Evidence:
    """The fixture with targets on four indicators (the shipped plan has none)."""
    targeted = items.copy()
    for iid, target in {
        "RM.A1.O1.IND1": 1.0,  # actual 1: achieved
        "RM.A2.O2.IND1": 1.0,  # actual 0: behind
        "RM.A4.O6.IND3": 4.0,  # newsletters 5: achieved
        "RM.A4.O8.IND1": 2.0,  # technical sheets 0: behind
    }.items():
        targeted.loc[targeted["id"] == iid, "target_value"] = target
    return Evidence(
        targeted, monitoring, country="GTM", year=2021, members=config.members(), series=SERIES
    )


@pytest.mark.parametrize("qid", sorted(EXPECTED))
def test_verdict_of_each_question_on_the_fixture(
    ev: Evidence, forms: dict[str, str], qid: str
) -> None:
    assert answer(ev, qid, forms[qid]).verdict == EXPECTED[qid]


def test_expected_verdicts_cover_every_question_with_a_rule() -> None:
    assert set(EXPECTED) == set(RULES)


def test_every_question_of_the_framework_has_a_rule_except_the_placeholder(
    forms: dict[str, str],
) -> None:
    assert sorted(set(forms) - set(RULES)) == ["FQ7"]
    assert set(FORMS) == set(ANSWER_TYPES)


def test_a_list_question_never_gets_a_yes_or_no(ev: Evidence, forms: dict[str, str]) -> None:
    lists = [q for q, f in forms.items() if f == "list"]
    assert lists == ["EQ9", "EQ12", "EQ13", "EQ20", "FQ5"]
    for q in lists:
        assert answer(ev, q, "list").verdict in ("items", "no_items", "not_enough_evidence")
    # "What was not achieved?" lists the items, with where and when
    texts = answer(ev, "EQ13", "list").items["text_en"].tolist()
    assert (
        "RM.A4.O8.ACT1 Carry out a workshop for the design of technical sheets of the " in texts[2]
    )
    assert texts[2].endswith("not completed by its deadline (GTM 2021)")
    assert texts[3].endswith("completed after its deadline (GTM 2021)")


def test_a_verdict_of_another_form_is_refused(ev: Evidence) -> None:
    with pytest.raises(ValueError, match=r"EQ11 asks for list .* answered 'yes'"):
        answer(ev, "EQ11", "list")


def test_an_explanation_gives_findings_with_their_evidence_or_names_what_is_missing(
    ev: Evidence,
) -> None:
    a = answer(ev, "EQ14", "explanation")
    assert a.items[["text_en", "years", "source", "data"]].values.tolist() == [
        [
            "Funds arrived late: 1 late activity-year(s): RM.A4.O6.ACT2 (GTM 2021)",
            "2021",
            "hand-made fixture",
            "reported",
        ]
    ]
    assert a.missing("en") == (
        "the reasons why 2 indicator(s) were at zero or behind target (not collected); "
        "the causes of 1 late activity-year(s) (none recorded)"
    )
    assert a.missing("es").startswith("las razones por las que 2 indicador(es)")


def test_no_target_is_never_achieved(ev: Evidence) -> None:
    ind = ev.indicators().set_index("id")
    assert ind.at["RM.A4.O7.IND1", "target_value"] != ind.at["RM.A4.O7.IND1", "target_value"]
    news = ind.loc["RM.A4.O6.IND3"]
    assert (news["actual"], news["status"], bool(news["delivered"])) == (
        5.0,
        "not applicable",
        True,
    )
    assert "achieved" not in set(ind["status"])
    assert status_text("not applicable", "en") == "No target"
    assert status_text("not applicable", "es") == "Sin meta"
    items = answer(ev, "EQ9", "list").items["text_en"].tolist()
    assert items == [
        "RM.A1.O1.IND1 Conceptual note: 1 (2020); status: No target",
        "RM.A4.O6.IND3 Number of newsletters disseminated.: 5 (2020, 2021); status: No target",
    ]
    assert "so they are delivered, not achieved" in answer(ev, "EQ9", "list").rationale("en")


def test_with_targets_objectives_are_judged_against_them(
    with_targets: Evidence, forms: dict[str, str]
) -> None:
    ind = with_targets.indicators().set_index("id")["status"]
    assert ind[["RM.A1.O1.IND1", "RM.A2.O2.IND1", "RM.A4.O6.IND3", "RM.A4.O8.IND1"]].tolist() == [
        "achieved",
        "behind",
        "achieved",
        "behind",
    ]
    got = {q: answer(with_targets, q, forms[q]).verdict for q in ("EQ3", "EQ18", "FQ4", "EQ5")}
    # 4 of 8 objectives judged (A1.O1, A4.O6 achieved; A2.O2, A4.O8 behind): half, enough
    assert got == {"EQ3": "partly", "EQ18": "partly", "FQ4": "partly", "EQ5": "partly"}
    assert (
        answer(with_targets, "EQ18", "extent")
        .rationale("en")
        .startswith("50% of the 4 objectives that can be judged against a target (8 in the plan)")
    )
    behind = answer(with_targets, "EQ13", "list").items["text_en"].tolist()[:2]
    assert behind == [
        "RM.A2.O2.IND1 Conceptual note: 0 (2020), behind its target",
        "RM.A4.O8.IND1 Number of technical sheets presented to partners and donors: 0 "
        "(2020, 2021), behind its target",
    ]


def test_effects_use_the_whole_series_and_a_stated_method(ev: Evidence) -> None:
    assert slope([2019, 2020, 2021], [150, 170, 190]) == 20.0
    a = answer(ev, "EQ1", "judgement")
    assert a.rationale("en").startswith(
        "2 of 3 published series rose faster during the plan than in the years before "
        "(Detected trafficking victims +20.0 a year in 2019–2021 against +10.0 a year in "
        "2014–2018; Persons prosecuted +10.0 a year in 2019–2021 against ±0.0 a year in 2014–2018;"
    )
    chain = a.chain.set_index("item_id")
    assert chain["status"].to_dict() == {
        "victims": "faster",
        "prosecuted": "faster",
        "convicted": "not faster",
        "repatriated": "not comparable",
    }
    assert chain.at["victims", "years"] == "2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021"
    assert set(chain["data"]) == {"published"}
    assert a.grade == "moderate"  # a proxy is at most moderate


def test_one_year_of_the_plan_is_not_a_trend(items: pd.DataFrame, ev: Evidence) -> None:
    # GTM's published series as in the UNODC export (victims, prosecutions), evaluated for 2019
    real = pd.DataFrame(
        {
            "indicator_id": ["victims"] * 5 + ["prosecuted"] * 6,
            "year": [2014, 2016, 2017, 2018, 2019, 2014, 2015, 2016, 2017, 2018, 2019],
            "value": [273, 484, 333, 371, 434, 65, 71, 91, 172, 194, 83],
            "source": ["UNODC"] * 11,
        }
    )
    ev2019 = Evidence(items, ev.rows, country="GTM", year=2019, members=["GTM"], series=real)
    a = answer(ev2019, "EQ1", "judgement")
    assert a.verdict == "not_enough_evidence"  # before: "Yes" from 2018 -> 2019 alone
    assert "One year's change is not a trend." in a.rationale("en")
    assert a.chain.set_index("item_id").at["prosecuted", "values_by_year"] == (
        "2014: 65; 2015: 71; 2016: 91; 2017: 172; 2018: 194; 2019: 83"
    )


def test_counts_of_victims_below_the_threshold_are_not_shown(
    items: pd.DataFrame, ev: Evidence
) -> None:
    small = SERIES.assign(value=SERIES["value"].where(SERIES["indicator_id"] != "repatriated", 3))
    e = Evidence(items, ev.rows, country="GTM", year=2021, members=["GTM"], series=small)
    chain = answer(e, "EQ1", "judgement").chain.set_index("item_id")
    assert chain.at["repatriated", "values_by_year"] == "2018: <5; 2021: <5"


def test_every_rule_is_stated_with_its_thresholds_in_both_languages() -> None:
    for rule, params in RULE_PARAMS.items():
        for lang in ("en", "es"):
            text = rule_text(rule, lang)
            for value in params.values():
                assert str(value) in text, (rule, lang, value)
    assert "Yes: 90% or more; partly: 50% or more" in rule_text("R-DEADLINES", "en")
    assert "Sí: 90% o más; en parte: 50% o más" in rule_text("R-DEADLINES", "es")
    assert grade_text("strong", "es").startswith("Sólida: se reporta al menos el 80%")
    assert grade(0.4, 1.0) == "weak"


def test_every_answer_marks_the_kind_of_data_it_rests_on(
    ev: Evidence, questions: pd.DataFrame
) -> None:
    s = answer_all(ev, questions, "es")
    data = s.table.set_index("question_id")["data"]
    assert data["EQ1"] == "published"
    assert data["FQ3"] == "reported"  # collected workbook rows, not illustrative
    assert data["EQ2"] == ""  # nothing read
    assert not s.table["illustrative"].any()
    assert s.table.set_index("question_id").at["FQ3", "question"] == (
        "¿Las actividades se están realizando dentro de los plazos definidos?"
    )


def test_the_region_sums_its_members(items: pd.DataFrame, monitoring: pd.DataFrame) -> None:
    region = Evidence(items, monitoring, country="CORETT", year=2021, members=config.members())
    ind = region.indicators().set_index("id")
    assert ind.at["RM.A1.O1.IND1", "actual"] == 10.0  # GTM 1 + HND 9
    assert ind.at["RM.A1.O1.IND1", "values_by_year"] == "2020: 10"
    assert answer(region, "FQ4", "judgement").chain["scope"].iloc[0] == "CORETT (9 members)"


def test_monitoring_matrix_and_followup_activities(ev: Evidence) -> None:
    from corett_lib.raw.evaluation_framework import read_monitoring_matrix

    mm, _ = read_monitoring_matrix(raw_path("monitoring_matrix"), "raw/monitoring_matrix.csv")
    out = evaluation.monitoring_matrix(ev, mm).set_index("objective_id")
    assert out.at["RM.A3.O5", "available"] == "yes"
    assert out.at["RM.A3.O5", "member_years_available"] == "1/1"
    acts = evaluation.followup_activities(ev)
    assert acts["cause_of_delay"].tolist() == ["", "Funds arrived late", ""]


def test_shipped_illustrative_data_answers_every_question_in_its_form(
    items: pd.DataFrame, questions: pd.DataFrame
) -> None:
    shipped, _ = load_monitoring(None, plan_items=items)
    for country in ("GTM", "CORETT"):
        e = Evidence(items, shipped, country=country, year=2019, members=config.members())
        s = answer_all(e, questions, "en")
        for a in s.answers:
            assert a.verdict in FORMS[a.answer_type]
        t = s.table.set_index("question_id")
        assert t.at["EQ13", "verdict"] == "items" and t.at["EQ13", "illustrative"]
        assert t.at["EQ3", "verdict"] == "not_enough_evidence"  # no targets: never "achieved"
    covid = shipped[shipped["cause_of_delay"].str.contains("COVID")]
    assert len(covid) and (covid["deadline"] >= "2020-03-11").all()


def test_answers_computed_once_lay_out_as_answer_all_in_each_language(
    ev: Evidence, questions: pd.DataFrame
) -> None:
    once = evaluation.answer_questions(ev, questions)
    for lang in ("en", "es"):
        shared, fresh = (
            evaluation.answer_set(once, questions, lang),
            answer_all(ev, questions, lang),
        )
        pd.testing.assert_frame_equal(shared.table, fresh.table)
        pd.testing.assert_frame_equal(shared.chain, fresh.chain)
        pd.testing.assert_frame_equal(shared.items, fresh.items)
