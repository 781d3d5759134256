"""Monitoring data: the illustrative set, the loader's checks, the merge and the export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.core import config, paths
from corett_lib.dataset.illustrative import generate_illustrative
from corett_lib.dataset.monitoring import (
    COLLECTED_FILE,
    COLUMNS,
    ILLUSTRATIVE,
    ILLUSTRATIVE_FILE,
    load_monitoring,
    merge_rows,
    monitored_items,
    read_monitoring_file,
)
from corett_lib.publishing.monitoring_export import export_monitoring
from corett_lib.raw.plans import read_plan_items

FIXTURES = Path(__file__).parent / "fixtures" / "monitoring"


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return read_plan_items(paths.raw_path("plan_items"), "raw/plan_items.csv")[0]


def _read(name: str, items: pd.DataFrame):
    return read_monitoring_file(
        FIXTURES / name,
        f"fixtures/{name}",
        known_items=monitored_items(items)["id"],
        members=config.members(),
    )


def test_shipped_illustrative_file_is_labelled_on_every_row_and_loads_clean() -> None:
    m, problems = load_monitoring()
    assert [p for p in problems if p.severity == "error"] == []
    assert set(m["illustrative"]) == {ILLUSTRATIVE}
    assert set(m["source"]) == {"illustrative (seed 6)"}
    assert sorted(set(m["year"])) == [2019, 2020, 2021, 2022, 2023, 2024]
    assert set(m["iso3"]) == set(config.members())
    header = (paths.monitoring_dir() / ILLUSTRATIVE_FILE).read_text(encoding="utf-8").split("\n")[0]
    assert header.split(",") == list(COLUMNS)


def test_shipped_illustrative_file_is_what_the_seeded_generator_makes(items: pd.DataFrame) -> None:
    made = generate_illustrative(items, config.members(), range(2019, 2025), seed=6)
    shipped = pd.read_csv(
        paths.monitoring_dir() / ILLUSTRATIVE_FILE, dtype=str, keep_default_na=False
    )
    assert len(made) == len(shipped) == 2851
    assert made["plan_item_id"].tolist() == shipped["plan_item_id"].tolist()
    assert made["deadline"].tolist() == shipped["deadline"].tolist()
    values = pd.to_numeric(shipped["value"].replace("", None)).astype(float)
    pd.testing.assert_series_equal(made["value"].astype(float), values, check_names=False)


def test_negative_value_is_an_error_on_its_line(items: pd.DataFrame) -> None:
    df, problems = _read("bad_value_negative.csv", items)
    assert [(p.check, p.rows, p.column) for p in problems] == [
        ("value_non_negative_number", (2,), "value")
    ]
    assert df.empty


def test_on_time_must_agree_with_the_dates(items: pd.DataFrame) -> None:
    _, problems = _read("bad_on_time_mismatch.csv", items)
    assert [(p.check, p.rows) for p in problems] == [("on_time_matches_dates", (2,))]
    assert "gives 'no'" in problems[0].message


def test_regional_rows_are_refused_the_region_is_a_sum(items: pd.DataFrame) -> None:
    df, problems = _read("bad_region_row.csv", items)
    assert [(p.check, p.rows, p.sample) for p in problems] == [("member_known", (3,), ("CORETT",))]
    assert df["iso3"].tolist() == ["GTM"]


def test_collected_member_year_replaces_the_illustrative_rows(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    shutil.copy(paths.raw_path("plan_items"), tmp_path / "raw" / "plan_items.csv")
    (tmp_path / "monitoring").mkdir()
    shutil.copy(paths.monitoring_dir() / ILLUSTRATIVE_FILE, tmp_path / "monitoring")
    shutil.copy(FIXTURES / "evaluation_gtm_2021.csv", tmp_path / "monitoring" / COLLECTED_FILE)
    m, _ = load_monitoring(tmp_path)
    gtm21 = m[(m["iso3"] == "GTM") & (m["year"] == 2021)]
    assert set(gtm21["illustrative"]) == {""}
    assert len(gtm21) == 5  # the fixture's five GTM 2021 rows, none of the illustrative ones
    gtm22 = m[(m["iso3"] == "GTM") & (m["year"] == 2022)]
    assert set(gtm22["illustrative"]) == {ILLUSTRATIVE}


def test_merge_replaces_a_member_year_and_is_idempotent() -> None:
    def rows(*specs: tuple[str, str, int, str]) -> pd.DataFrame:
        recs = [
            dict.fromkeys(COLUMNS, "")
            | dict(zip(("plan_item_id", "iso3", "year", "value"), s, strict=True))
            for s in specs
        ]
        return pd.DataFrame.from_records(recs, columns=list(COLUMNS))

    held = rows(
        ("RM.A4.O6.IND3", "GTM", 2020, "2"),
        ("RM.A4.O6.IND1", "GTM", 2020, "5"),
        ("RM.A4.O6.IND3", "HND", 2020, "7"),
    )
    new = rows(("RM.A4.O6.IND3", "GTM", 2020, "4"))
    once = merge_rows(held, new)
    assert once[["plan_item_id", "iso3", "value"]].values.tolist() == [
        ["RM.A4.O6.IND3", "GTM", "4"],
        ["RM.A4.O6.IND3", "HND", "7"],
    ]
    pd.testing.assert_frame_equal(merge_rows(once, new), once)


def test_export_neutralizes_formula_text(tmp_path: Path) -> None:
    df = pd.DataFrame.from_records(
        [
            dict.fromkeys(COLUMNS, "")
            | {
                "plan_item_id": "RM.A4.O6.ACT2",
                "iso3": "GTM",
                "year": 2021,
                "cause_of_delay": "=1+1",
                "notes": "@SUM(A1)",
            }
        ]
    )
    text = export_monitoring(df, tmp_path / "m.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text
