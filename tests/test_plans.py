"""The plans' items: the shipped transcription and the loader's problems, one defect per tiny file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corett_lib.core.paths import raw_path
from corett_lib.core.problems import DataError
from corett_lib.raw.plans import (
    PLAN_COLUMNS,
    level_counts,
    plan_indicators,
    plan_tree,
    read_plan_items,
)

REL = "raw/plan_items.csv"


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    df, problems = read_plan_items(raw_path("plan_items"), REL)
    assert problems == []
    return df


# --------------------------------------------------------------------------------------------------
# The shipped transcription
# --------------------------------------------------------------------------------------------------
def test_axes_per_plan_match_the_documents(items: pd.DataFrame) -> None:
    axes = items[items["level"] == "axis"].groupby("plan")["id"].apply(sorted).to_dict()
    assert axes == {
        "prevention": ["PREV.A1", "PREV.A2", "PREV.A3", "PREV.A4"],
        "resource_mobilization": ["RM.A1", "RM.A2", "RM.A3", "RM.A4"],
        "communication": [f"COM.A{i}" for i in range(1, 9)],
    }


def test_axis_names(items: pd.DataFrame) -> None:
    text = items.set_index("id")["text_en"]
    assert text["PREV.A4"] == "Axis of detection and referral"
    assert text["RM.A2"] == "Comprehensive care axis"
    assert text["COM.A6"] == "Information management"


def test_item_counts_per_plan_and_level(items: pd.DataFrame) -> None:
    counts = level_counts(items)
    assert counts.loc["prevention", ["objective", "activity", "goal", "indicator"]].tolist() == [
        6,
        15,
        14,
        18,
    ]
    assert counts.loc["resource_mobilization", ["objective", "indicator"]].tolist() == [8, 15]
    assert counts.loc["communication", ["tactic", "outcome", "activity", "indicator"]].tolist() == [
        8,
        18,
        32,
        0,
    ]


def test_two_campaigns_is_the_target_of_the_sensitization_indicator(items: pd.DataFrame) -> None:
    row = items.set_index("id").loc["PREV.A1.O1.IND1"]
    assert (row["text_en"], row["unit"], row["direction"]) == (
        "2 campaigns",
        "campaigns",
        "increase",
    )
    assert row["target_value"] == 2.0
    assert row["target_text"] == "2 campaigns"
    assert row["parent_id"] == "PREV.A1.O1"


def test_only_the_campaigns_indicator_has_a_numeric_target(items: pd.DataFrame) -> None:
    with_target = items.loc[items["target_value"].notna(), "id"].tolist()
    assert with_target == ["PREV.A1.O1.IND1"]


def test_ids_are_unique_and_every_parent_exists(items: pd.DataFrame) -> None:
    assert items["id"].is_unique
    parents = set(items["parent_id"].dropna())
    assert parents <= set(items["id"])
    assert sorted(items.loc[items["parent_id"].isna(), "id"]) == ["COM", "PREV", "RM"]


def test_every_indicator_has_unit_and_direction(items: pd.DataFrame) -> None:
    ind = items[items["level"] == "indicator"]
    assert len(ind) == 33
    assert (ind["unit"] != "").all()
    assert set(ind["direction"]) == {"increase", "ambiguous"}


def test_referrals_and_complaints_are_ambiguous(items: pd.DataFrame) -> None:
    ambiguous = items.loc[items["direction"] == "ambiguous", "id"].tolist()
    assert ambiguous == ["PREV.A1.O1.IND2", "PREV.A4.O1.IND1", "PREV.A4.O1.IND2"]


def test_prosecution_axis_has_only_the_objective_from_chart_3(items: pd.DataFrame) -> None:
    below = items[items["id"].str.startswith("RM.A3.")]
    assert below["id"].tolist() == ["RM.A3.O5"]
    assert below["doc_number"].tolist() == ["5"]


def test_communication_plan_of_content(items: pd.DataFrame) -> None:
    com = items[items["plan"] == "communication"]
    assert com.groupby("level").size()[["audience", "message", "product"]].tolist() == [4, 20, 17]
    products = com.loc[com["parent_id"] == "COM.A2.PUB2", "text_en"].tolist()
    assert "Annual report" in products and "Quarterly newsletter" in products
    assert items.set_index("id").loc["COM.A2.PUB1.MSG5", "text_en"] == (
        "We contribute to the fulfillment of Sustainable Development Goals 5, 8, 10 and 16."
    )


def test_plan_indicators_carry_axis_and_objective(items: pd.DataFrame) -> None:
    ind = plan_indicators(items).set_index("indicator_id")
    assert len(ind) == 33
    row = ind.loc["RM.A4.O6.IND3"]
    assert row["axis"] == "Institutional strengthening axis of the Regional Coalition"
    assert row["objective_id"] == "RM.A4.O6"
    assert row["objective_number"] == "6"
    assert row["indicator"] == "Number of newsletters disseminated."
    assert ind["axis_id"].notna().all() and ind["objective_id"].notna().all()


def test_plan_tree_is_depth_first(items: pd.DataFrame) -> None:
    tree = plan_tree(items, "prevention")
    assert tree["id"].tolist()[:5] == [
        "PREV",
        "PREV.GO",
        "PREV.A1",
        "PREV.A1.SO",
        "PREV.A1.O1",
    ]
    row = tree.set_index("id").loc["PREV.A2.O2.IND1"]
    assert (row["depth"], row["axis_id"], row["objective_id"]) == (3, "PREV.A2", "PREV.A2.O2")
    with pytest.raises(ValueError, match="unknown plan"):
        plan_tree(items, "care")


# --------------------------------------------------------------------------------------------------
# Problems, one defect per file
# --------------------------------------------------------------------------------------------------
HEADER = ",".join(PLAN_COLUMNS)
GOOD = [
    "PREV,prevention,plan,,,Prevention,,,,,,,,,,t,",
    "PREV.A1,prevention,axis,PREV,A,Axis one,,,,,,,,,,t,",
    "PREV.A1.O1,prevention,objective,PREV.A1,1,Objective,,,,,,,,,,t,",
    "PREV.A1.O1.IND1,prevention,indicator,PREV.A1.O1,,2 campaigns,,,,campaigns,increase,2,"
    "2 campaigns,2027,,t,",
]


def _write(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "plan_items.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _read(tmp_path: Path, lines: list[str]) -> tuple[pd.DataFrame, list]:
    return read_plan_items(_write(tmp_path, lines), REL)


def test_good_fixture_reads_without_problems(tmp_path: Path) -> None:
    df, problems = _read(tmp_path, GOOD)
    assert problems == []
    assert df["id"].tolist() == ["PREV", "PREV.A1", "PREV.A1.O1", "PREV.A1.O1.IND1"]
    assert df["target_year"].tolist()[-1] == 2027
    assert df["source_row"].tolist() == [2, 3, 4, 5]


def test_missing_column_is_named(tmp_path: Path) -> None:
    header = HEADER.replace(",direction", "")
    lines = [",".join(line.split(",")[:10] + line.split(",")[11:]) for line in GOOD]
    with pytest.raises(DataError) as exc:
        read_plan_items(_write(tmp_path, lines, header), REL)
    (p,) = exc.value.problems
    assert (p.check, p.column, p.rows) == ("required_columns", "direction", (1,))


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plan_items.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_plan_items(path, REL)
    assert [p.check for p in exc.value.problems] == ["file_empty"]


def test_header_only_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        _read(tmp_path, [])
    assert [p.check for p in exc.value.problems] == ["file_empty"]


def test_duplicate_id_names_both_lines_and_drops_the_subtree(tmp_path: Path) -> None:
    df, problems = _read(tmp_path, [*GOOD, GOOD[2]])
    checks = [(p.check, p.rows, p.column) for p in problems]
    assert ("id_unique", (4, 6), "id") in checks
    assert ("parent_usable", (5,), "parent_id") in checks
    assert df["id"].tolist() == ["PREV", "PREV.A1"]


def test_missing_parent(tmp_path: Path) -> None:
    line = GOOD[3].replace(",PREV.A1.O1,,", ",PREV.A1.O9,,")
    df, problems = _read(tmp_path, [*GOOD[:3], line])
    (p,) = problems
    assert (p.check, p.rows, p.column, p.sample) == (
        "parent_exists",
        (5,),
        "parent_id",
        ("PREV.A1.O9",),
    )
    assert "falls out of the plan's tree" in p.why
    assert len(df) == 3


def test_unknown_level(tmp_path: Path) -> None:
    line = GOOD[2].replace(",objective,", ",objetivo,")
    _, problems = _read(tmp_path, [*GOOD[:2], line, GOOD[3]])
    assert [(p.check, p.rows, p.column) for p in problems] == [
        ("level_known", (4,), "level"),
        ("parent_usable", (5,), "parent_id"),
    ]


def test_unknown_direction(tmp_path: Path) -> None:
    line = GOOD[3].replace(",increase,", ",up,")
    df, problems = _read(tmp_path, [*GOOD[:3], line])
    (p,) = problems
    assert (p.check, p.rows, p.column, p.sample) == ("direction_known", (5,), "direction", ("up",))
    assert "PREV.A1.O1.IND1" not in set(df["id"])


def test_non_numeric_target(tmp_path: Path) -> None:
    line = GOOD[3].replace(",increase,2,", ",increase,two,")
    _, problems = _read(tmp_path, [*GOOD[:3], line])
    (p,) = problems
    assert (p.check, p.rows, p.column, p.sample) == (
        "target_numeric",
        (5,),
        "target_value",
        ("two",),
    )


def test_indicator_without_unit(tmp_path: Path) -> None:
    line = GOOD[3].replace(",campaigns,increase,", ",,increase,")
    _, problems = _read(tmp_path, [*GOOD[:3], line])
    (p,) = problems
    assert (p.check, p.rows, p.column) == ("indicator_has_unit_and_direction", (5,), "unit")


def test_id_must_start_with_the_plan_code(tmp_path: Path) -> None:
    line = GOOD[1].replace("PREV.A1,prevention", "RM.A1,prevention")
    _, problems = _read(tmp_path, [GOOD[0], line])
    (p,) = problems
    assert (p.check, p.rows, p.column) == ("id_prefix", (3,), "id")


def test_problem_text_names_file_row_and_column(tmp_path: Path) -> None:
    line = GOOD[3].replace(",increase,2,", ",increase,two,")
    _, problems = _read(tmp_path, [*GOOD[:3], line])
    assert str(problems[0]).startswith("ERROR [target_numeric] raw/plan_items.csv, row 5, column ")
