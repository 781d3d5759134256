"""The evaluation framework (RM Strategy Charts 3, 4, 5): shipped transcriptions and loader problems."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corett_lib.core.paths import raw_path
from corett_lib.core.problems import DataError
from corett_lib.raw.evaluation_framework import (
    EVALUATION_COLUMNS,
    MONITORING_COLUMNS,
    check_plan_links,
    dac_coverage,
    question_links,
    read_evaluation_questions,
    read_followup_questions,
    read_monitoring_matrix,
)
from corett_lib.raw.plans import read_plan_items


@pytest.fixture(scope="module")
def plan_items() -> pd.DataFrame:
    return read_plan_items(raw_path("plan_items"), "raw/plan_items.csv")[0]


@pytest.fixture(scope="module")
def questions() -> pd.DataFrame:
    df, problems = read_evaluation_questions(
        raw_path("evaluation_questions"), "raw/evaluation_questions.csv"
    )
    assert problems == []
    return df


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    df, problems = read_monitoring_matrix(
        raw_path("monitoring_matrix"), "raw/monitoring_matrix.csv"
    )
    assert problems == []
    return df


# --------------------------------------------------------------------------------------------------
# Shipped transcriptions
# --------------------------------------------------------------------------------------------------
def test_chart5_has_eight_questions_under_five_criteria(questions: pd.DataFrame) -> None:
    chart5 = questions[questions["question_set"] == "chart5"]
    assert chart5["id"].tolist() == [f"EQ{i}" for i in range(1, 9)]
    assert chart5.groupby("criterion").size().to_dict() == {
        "effects": 2,
        "effectiveness": 2,
        "efficiency": 2,
        "relevance": 1,
        "sustainability": 1,
    }


def test_effects_map_to_impact_and_no_question_covers_coherence(questions: pd.DataFrame) -> None:
    cov = dac_coverage(questions).set_index("oecd_dac_2019")
    assert cov.loc["impact", "question_ids"] == "EQ1, EQ2"
    assert cov.loc["coherence", "n_questions"] == 0
    assert cov["n_questions"].sum() == 8


def test_internal_evaluation_questions_have_no_criterion(questions: pd.DataFrame) -> None:
    internal = questions[questions["question_set"] != "chart5"]
    assert len(internal) == 12
    assert (internal["criterion"] == "").all()
    assert questions.set_index("id").loc["EQ18", "text_en"].startswith("To what extent")


def test_question_text_is_verbatim(questions: pd.DataFrame) -> None:
    text = questions.set_index("id")["text_en"]
    assert text["EQ8"] == "Is it possible that the goals achieved last for a significant period?"


def test_efficiency_question_links_to_objectives_6_and_8(questions: pd.DataFrame) -> None:
    links = question_links(questions)
    assert links.loc[links["id"] == "EQ5", "plan_item_id"].tolist() == ["RM.A4.O6", "RM.A4.O8"]
    assert len(links[links["id"] == "EQ3"]) == 8


def test_followup_questions() -> None:
    df, problems = read_followup_questions(
        raw_path("followup_questions"), "raw/followup_questions.csv"
    )
    assert problems == []
    assert len(df) == 7
    assert df.set_index("id").loc["FQ3", "text_en"] == (
        "Are the activities being carried out within the defined deadlines?"
    )


def test_monitoring_matrix_rows_per_axis(matrix: pd.DataFrame) -> None:
    assert matrix.groupby("axis_id").size().to_dict() == {
        "RM.A1": 1,
        "RM.A2": 3,
        "RM.A3": 1,
        "RM.A4": 3,
    }
    assert (matrix["available"] == "").all()  # blank in the published chart
    assert matrix.set_index("id").loc["MM5", "objective_id"] == "RM.A3.O5"


def test_shipped_links_resolve_against_plan_items(
    questions: pd.DataFrame, matrix: pd.DataFrame, plan_items: pd.DataFrame
) -> None:
    assert check_plan_links(questions, plan_items, rel="q", table="q") == []
    assert check_plan_links(matrix, plan_items, rel="m", table="m") == []


# --------------------------------------------------------------------------------------------------
# Problems, one defect per file
# --------------------------------------------------------------------------------------------------
Q_HEADER = ",".join(EVALUATION_COLUMNS)
Q_GOOD = "EQ1,chart5,judgement,Effects,effects,impact,Changes?,,resource_mobilization,RM.A4.O6,ref,"
M_HEADER = ",".join(MONITORING_COLUMNS)
M_GOOD = "MM1,Prevention,RM.A1,Mobilize,RM.A1.O1,Reports,,ref,"


def _write(tmp_path: Path, header: str, lines: list[str]) -> Path:
    path = tmp_path / "f.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_good_question_fixture(tmp_path: Path) -> None:
    df, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [Q_GOOD]), "f.csv")
    assert problems == []
    assert df[["id", "seq", "source_row"]].values.tolist() == [["EQ1", 1, 2]]


def test_wrong_dac_mapping(tmp_path: Path) -> None:
    line = Q_GOOD.replace(",effects,impact,", ",effects,effectiveness,")
    df, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [line]), "f.csv")
    (p,) = problems
    assert (p.check, p.rows, p.column) == ("criterion_dac_mapping", (2,), "oecd_dac_2019")
    assert df.empty


def test_unknown_criterion(tmp_path: Path) -> None:
    line = Q_GOOD.replace(",effects,impact,", ",impacto,impact,")
    _, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [line]), "f.csv")
    assert [(p.check, p.column, p.sample) for p in problems] == [
        ("criterion_known", "criterion", ("impacto",))
    ]


def test_duplicate_question_id(tmp_path: Path) -> None:
    _, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [Q_GOOD, Q_GOOD]), "f.csv")
    (p,) = problems
    assert (p.check, p.rows) == ("id_unique", (2, 3))


def test_bad_question_id(tmp_path: Path) -> None:
    line = Q_GOOD.replace("EQ1,", "Q1,", 1)
    _, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [line]), "f.csv")
    assert [(p.check, p.column) for p in problems] == [("id_format", "id")]


def test_missing_column(tmp_path: Path) -> None:
    header = Q_HEADER.replace(",oecd_dac_2019", "")
    with pytest.raises(DataError) as exc:
        read_evaluation_questions(_write(tmp_path, header, ["EQ1,chart5"]), "f.csv")
    assert [(p.check, p.column) for p in exc.value.problems] == [
        ("required_columns", "oecd_dac_2019")
    ]


def test_unknown_availability(tmp_path: Path) -> None:
    line = M_GOOD.replace(",Reports,,", ",Reports,Sí,")
    _, problems = read_monitoring_matrix(_write(tmp_path, M_HEADER, [line]), "f.csv")
    (p,) = problems
    assert (p.check, p.column, p.sample) == ("availability_known", "available", ("Sí",))


def test_link_to_missing_plan_item(tmp_path: Path, plan_items: pd.DataFrame) -> None:
    line = Q_GOOD.replace("RM.A4.O6", "RM.A4.O9")
    df, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [line]), "f.csv")
    assert problems == []
    (p,) = check_plan_links(df, plan_items, rel="f.csv", table="evaluation_questions")
    assert (p.check, p.rows, p.column, p.sample) == (
        "plan_link_exists",
        (2,),
        "plan_item_ids",
        ("RM.A4.O9",),
    )


def test_objective_not_under_axis(tmp_path: Path, plan_items: pd.DataFrame) -> None:
    line = M_GOOD.replace("RM.A1.O1", "RM.A4.O7")
    df, _ = read_monitoring_matrix(_write(tmp_path, M_HEADER, [line]), "f.csv")
    (p,) = check_plan_links(df, plan_items, rel="f.csv", table="monitoring_matrix")
    assert (p.check, p.rows, p.sample) == ("objective_under_axis", (2,), ("RM.A4.O7", "RM.A1"))


def test_every_question_has_the_form_of_answer_it_asks_for(questions: pd.DataFrame) -> None:
    form = dict(zip(questions["id"], questions["answer_type"], strict=True))
    assert form["EQ3"] == "judgement"  # "Were all the proposed strategic objectives achieved?"
    assert form["EQ13"] == "list"  # "What was not achieved?"
    assert form["EQ14"] == "explanation"  # "Why was it not achieved?"
    assert form["EQ18"] == "extent"  # "To what extent were the objectives ... achieved?"
    followup, problems = read_followup_questions(raw_path("followup_questions"), "x.csv")
    assert problems == []
    assert followup.set_index("id")["answer_type"].to_dict() == {
        "FQ1": "judgement",
        "FQ2": "judgement",
        "FQ3": "judgement",
        "FQ4": "judgement",
        "FQ5": "list",  # "What are the causes of the delay ...?"
        "FQ6": "judgement",
        "FQ7": "",  # "Other similar": a placeholder row, not a question
    }


@pytest.mark.parametrize(
    ("value", "check"), [("yes/no", "answer_type_known"), ("", "answer_type_present")]
)
def test_an_evaluation_question_needs_a_known_answer_type(
    tmp_path: Path, value: str, check: str
) -> None:
    line = Q_GOOD.replace(",judgement,", f",{value},")
    df, problems = read_evaluation_questions(_write(tmp_path, Q_HEADER, [line]), "f.csv")
    (p,) = problems
    assert (p.check, p.rows, p.column) == (check, (2,), "answer_type")
    assert df.empty
