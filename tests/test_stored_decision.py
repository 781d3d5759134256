"""The build solves the pages' disclosure decision once and stores it; kernels take it as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from corett_lib.facts.table import Facts, facts_from_dataset
from corett_lib.publishing import fact_disclosure as fd
from corett_lib.validation.load import load


@pytest.fixture(scope="module")
def facts() -> Facts:
    return facts_from_dataset(load())


def _fresh(facts: Facts, k: int, stored: Path | str = "") -> fd.FactDecision:
    fd._DECISIONS.clear()
    return fd.decision_for(facts, k, stored=stored)


def test_a_stored_decision_is_the_decision_solved_again(facts: Facts, tmp_path: Path) -> None:
    snapshot = tmp_path / "dataset-abc.json"
    solved = _fresh(facts, 5)
    assert fd.write_decision(facts, 5, snapshot) is not None
    loaded = _fresh(facts, 5, stored=snapshot)
    assert len(loaded._solved) == len(solved._solved) > 50  # taken whole, nothing solved here
    assert loaded._solved == solved._solved
    assert list(loaded.every_fact()) == list(solved.every_fact())
    assert loaded.status("CRI|2021|victims|total|Total") == "complementary"


def test_a_stored_decision_is_not_used_for_other_facts_or_another_threshold(
    facts: Facts, tmp_path: Path
) -> None:
    snapshot = tmp_path / "dataset-abc.json"
    _fresh(facts, 5)
    fd.write_decision(facts, 5, snapshot)
    assert _fresh(facts, 6, stored=snapshot)._solved == {}
    table = facts.table.copy()
    row = table.index[
        table["iso3"].eq("GTM")
        & table["year"].eq(2021)
        & table["indicator_id"].eq("victims")
        & table["disaggregation"].eq("total")
    ][0]
    table.loc[row, "value"] = 2.0
    other = Facts(
        table=table, sources=facts.sources, registry=facts.registry, members=facts.members
    )
    decision = _fresh(other, 5, stored=snapshot)
    assert decision._solved == {}  # solved here, from these facts
    assert decision.status("CRI|2021|victims|total|Total") == ""


def test_a_damaged_stored_decision_is_solved_again(facts: Facts, tmp_path: Path) -> None:
    snapshot = tmp_path / "dataset-abc.json"
    _fresh(facts, 5)
    header = fd.write_decision(facts, 5, snapshot)
    assert header is not None
    header.write_text(header.read_text(encoding="utf-8").replace("complementary", "primary", 1))
    decision = _fresh(facts, 5, stored=snapshot)
    assert decision._solved == {}
    assert not header.exists()  # removed: kernels solve it until the data change
    assert decision.status("CRI|2021|victims|total|Total") == "complementary"
