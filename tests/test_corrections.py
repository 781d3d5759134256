"""Declared corrections: the shipped file, its validation, and the one function that applies them."""

from __future__ import annotations

from pathlib import Path

import observations
import pandas as pd
import pytest

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.raw.corrections import Correction, apply_corrections, load_corrections
from corett_lib.raw.unodc import apply_duplicate_rule, read_glotip

SHIPPED = paths.PROJECT_ROOT / "data" / "corrections.yaml"
REL = observations.GLOTIP


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path_factory.getbasetemp() / "unodc-cache"))


def obs(*rows: tuple[str, int, str, int]) -> pd.DataFrame:
    """Observations of detected victims (totals) from (iso3, year, value_text, source_row)."""
    return observations.obs(
        *((c, y, "Total", "Total", "Total", "Total", t, r) for c, y, t, r in rows)
    )


def fix(id_: str, action: str, value: float | None = None, **where: object) -> Correction:
    return Correction(
        id=id_, where=where, action=action, value=value, reason="why", publisher_informed="no"
    )


def test_the_shipped_corrections_load() -> None:
    found = load_corrections(SHIPPED)  # other entries are appended as validation finds problems
    mine = {
        "unodc-dom-2019-other-forms-unknown",
        "unodc-dom-2020-other-forms-unknown",
        "unodc-slv-2019-sexual-other-18plus",
        "unodc-repeats-other-forms",
        "unodc-repeats-totals-by-sex",
    }
    assert [(c.id, c.table, c.action) for c in found if c.id in mine] == [
        ("unodc-dom-2019-other-forms-unknown", "observations", "drop"),
        ("unodc-dom-2020-other-forms-unknown", "observations", "drop"),
        ("unodc-slv-2019-sexual-other-18plus", "observations", "flag"),
        ("unodc-repeats-other-forms", "duplicates", "drop"),
        ("unodc-repeats-totals-by-sex", "duplicates", "drop"),
    ]
    assert all(c.publisher_informed == "no" for c in found)


def test_the_shipped_corrections_apply_to_the_real_export() -> None:
    table, _ = read_glotip(paths.PROJECT_ROOT / "data" / REL, REL)
    declared = load_corrections(SHIPPED)
    clean, _, _ = apply_duplicate_rule(table, declared)
    unodc = [c for c in declared if c.where.get("source_file", REL) == REL]
    out, audit, problems = apply_corrections(clean, unodc)
    ids = ["unodc-dom-2019-other-forms-unknown", "unodc-dom-2020-other-forms-unknown"]
    ids.append("unodc-slv-2019-sexual-other-18plus")
    mine = audit[audit["correction"].isin(ids)]
    assert mine[["correction", "source_row", "action", "before", "after"]].values.tolist() == [
        ["unodc-dom-2019-other-forms-unknown", 54756, "drop", "2,019", ""],
        ["unodc-dom-2020-other-forms-unknown", 54765, "drop", "2,020", ""],
        ["unodc-slv-2019-sexual-other-18plus", 39054, "flag", "14", "14"],
    ]
    assert len(out) == len(clean) - int((audit["action"] == "drop").sum())
    assert not out["source_row"].isin([54756, 54765]).any()
    assert out.loc[out["source_row"] == 39054, "correction"].tolist() == [
        "unodc-slv-2019-sexual-other-18plus"
    ]
    assert [
        (p.severity, p.check, p.rows) for p in problems if any(i in p.message for i in ids)
    ] == [
        ("warning", "declared_correction", (54756,)),
        ("warning", "declared_correction", (54765,)),
        ("warning", "declared_correction", (39054,)),
    ]
    assert [p for p in problems if p.severity == "error"] == []


def test_drop_override_flag_and_stale() -> None:
    table = obs(("DOM", 2019, "2,019", 7), ("SLV", 2019, "14", 8), ("GTM", 2019, "434", 9))
    declared = [
        fix("a", "drop", iso3="DOM", value_text="2,019"),
        fix("b", "override", 6, iso3="SLV", year=2019, value_text="14"),
        fix("c", "flag", iso3=["GTM", "HND"]),
        fix("d", "flag", iso3="MEX"),
    ]
    out, audit, problems = apply_corrections(table, declared)
    assert out[["iso3", "value", "value_text", "correction"]].values.tolist() == [
        ["SLV", 6.0, "14", "b"],
        ["GTM", 434.0, "434", "c"],
    ]
    assert audit[["correction", "before", "after"]].values.tolist() == [
        ["a", "2,019", ""],
        ["b", "14", "6"],
        ["c", "434", "434"],
    ]
    assert [(p.severity, p.check) for p in problems] == [
        ("warning", "declared_correction"),
        ("warning", "declared_correction"),
        ("warning", "declared_correction"),
        ("error", "correction_stale"),
    ]
    assert problems[0].rows == (7,) and problems[0].column == "txtVALUE"
    assert "'d'" in problems[3].message and problems[3].file == "corrections.yaml"


def test_a_pinned_value_goes_stale_when_the_figure_changes() -> None:
    table = obs(("DOM", 2019, "20", 7))
    _, _, problems = apply_corrections(table, [fix("a", "drop", iso3="DOM", value_text="2,019")])
    assert [p.check for p in problems] == ["correction_stale"]


def test_invalid_entries_are_each_named(tmp_path: Path) -> None:
    path = tmp_path / "corrections.yaml"
    path.write_text(
        """corrections:
  - id: ok-one
    where: {iso3: DOM}
    action: flag
    reason: fine
    publisher_informed: yes
  - id: no-value
    where: {iso3: DOM}
    action: override
    reason: r
    publisher_informed: no
  - id: Bad Id
    where: {}
    action: erase
    reason: r
    publisher_informed: maybe
  - id: ok-one
    where: {iso3: SLV, value_text: "7"}
    action: drop
    reason: r
    publisher_informed: unknown
""",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as exc:
        load_corrections(path)
    messages = [p.message for p in exc.value.problems]
    assert {p.check for p in exc.value.problems} == {"corrections_invalid"}
    assert len(messages) == 3
    assert messages[0].startswith("entry 2 (id 'no-value')") and "needs a value" in messages[0]
    assert messages[1].startswith("entry 3 (id 'Bad Id')")
    for field in ("id", "where", "action", "publisher_informed"):
        assert f"{field}:" in messages[1]
    assert messages[2] == "id 'ok-one' is declared more than once"


def test_a_file_that_is_not_a_list_of_corrections(tmp_path: Path) -> None:
    path = tmp_path / "corrections.yaml"
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_corrections(path)
    assert "'corrections'" in exc.value.problems[0].message
