"""Targets and status: thresholds, direction, ambiguous indicators, plan targets vs actuals."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from corett_lib.analysis.status import assess, plan_progress, with_status

ROOT = Path(__file__).resolve().parent.parent


def test_increase_thresholds_use_the_15_percent_band() -> None:
    got = assess([120, 100, 85, 84.9, None], [100] * 5, "increase", band=0.15)
    assert got["status"].tolist() == ["achieved", "achieved", "on track", "behind", "no data"]
    assert got["achievement_ratio"].round(3).tolist()[:4] == [1.2, 1.0, 0.85, 0.849]


def test_decrease_counts_lower_as_better() -> None:
    got = assess([80, 100, 115, 116, 0], [100] * 5, "decrease", band=0.15)
    assert got["status"].tolist() == ["achieved", "achieved", "on track", "behind", "achieved"]
    assert got["achievement_ratio"].tolist()[:2] == [1.25, 1.0]
    assert math.isnan(got["achievement_ratio"].iloc[4])  # target / 0


def test_ambiguous_is_context_never_a_red_light() -> None:
    got = assess([10, 500], [100, 100], ["ambiguous", "ambiguous"], band=0.15)
    assert got["status"].tolist() == ["context", "context"]


def test_without_target_not_applicable() -> None:
    got = assess([10], [None], "increase", band=0.15)
    assert got["status"].tolist() == ["not applicable"]


def test_default_band_comes_from_the_registry() -> None:
    assert assess([86], [100], "increase")["status"].tolist() == ["on track"]
    with pytest.raises(ValueError, match="band"):
        assess([86], [100], "increase", band=1.5)
    with pytest.raises(ValueError, match="unknown direction"):
        assess([86], [100], "up")


def test_with_status_on_an_indicator_table() -> None:
    table = pd.DataFrame(
        {
            "indicator_id": ["prosecuted", "prosecuted", "victims"],
            "iso3": ["GTM", "GTM", "GTM"],
            "year": [2018, 2019, 2019],
            "value": [194.0, 83.0, 434.0],
            "direction": ["increase", "increase", "ambiguous"],
        }
    )
    out = with_status(table, {"prosecuted": 180, "victims": 400}, band=0.15, lang="es")
    assert out["status"].tolist() == ["achieved", "behind", "context"]
    assert out["status_label"].tolist() == ["logrado", "rezagado", "contexto"]


def test_plan_progress_with_the_shipped_plan_items() -> None:
    items = pd.read_csv(ROOT / "data" / "raw" / "plan_items.csv", dtype={"id": str})
    ind = "PREV.A1.O1.IND1"  # target: 2 campaigns (Prevention Strategy, operative plan)
    acts = pd.DataFrame(
        {"plan_id": [ind, ind], "iso3": ["CORETT", "CORETT"], "year": [2020, 2021], "value": [1, 2]}
    )
    out = plan_progress(items, acts, band=0.15)
    rows = out[out["id"] == ind]
    assert rows["target"].tolist() == [2.0, 2.0]
    assert rows["status"].tolist() == ["behind", "achieved"]
    assert rows["achievement_ratio"].tolist() == [0.5, 1.0]
    # Items without a numeric target are "not applicable"; every item appears once at least.
    assert set(out["id"]) == set(items["id"])
    assert set(out.loc[out["id"] != ind, "status"]) == {"not applicable"}


def test_plan_progress_without_actuals_is_no_data() -> None:
    items = pd.DataFrame({"id": ["P1"], "target_value": [10.0], "direction": ["increase"]})
    empty = pd.DataFrame(columns=["plan_id", "year", "value"])
    out = plan_progress(items, empty, band=0.15)
    assert out[["id", "status"]].values.tolist() == [["P1", "no data"]]


def test_with_status_defaults_to_registry_targets_none_declared_yet() -> None:
    table = pd.DataFrame(
        {
            "indicator_id": ["victims"],
            "iso3": ["GTM"],
            "year": [2019],
            "value": [434.0],
            "direction": ["ambiguous"],
        }
    )
    out = with_status(table)
    assert out["status"].tolist() == ["not applicable"]
    assert math.isnan(out["target"].iloc[0])
