"""Rules, not row lists (issue 13): corrections keyed by what a figure is, never by its row.

* ``corrections.yaml`` refuses ``source_row``; a drop or override pins the published value;
  a duplicates entry names exact keys with their repeated values;
* the shipped export with its rows in another order validates clean and gives the same figures;
* parts above their totals are flagged by the generic rule on their rows (``inconsistent``).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from corett_lib.core import paths
from corett_lib.core.config import members
from corett_lib.core.schema import OBSERVATION_KEY, REGION_CODE
from corett_lib.facts.view import indicator_table
from corett_lib.raw.corrections import Correction, load_corrections
from corett_lib.validation.load import load

SHIPPED = paths.PROJECT_ROOT / "data"
GLOTIP = "raw/unodc_data_glotip.xlsx"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CORETT_DATA", raising=False)


def test_a_row_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="source_row is a position in a file"):
        Correction(
            id="x",
            where={"iso3": "BLZ", "year": 2018, "source_row": [5826], "value_text": "5"},
            action="flag",
            reason="r",
            publisher_informed="no",
        )


def test_a_duplicates_entry_names_exact_keys() -> None:
    broad = dict(table="duplicates", action="drop", reason="r", publisher_informed="no")
    with pytest.raises(ValidationError, match="exact repeated keys"):
        Correction(id="x", where={"source": "UNODC", "category": "Total"}, **broad)
    with pytest.raises(ValidationError, match=r"missing \['sex', 'age'\]"):
        Correction(
            id="x",
            where={"source": "UNODC", "dimension": "Total", "category": "Total", "unit": "Counts"},
            keys=({"iso3": "ARG", "year": 2019, "indicator": "v", "value_text": ["<5", "11"]},),
            **broad,
        )


def test_the_shipped_file_has_no_row_numbers_and_no_broad_repeats() -> None:
    text = (SHIPPED / "corrections.yaml").read_text(encoding="utf-8")
    found = load_corrections(SHIPPED / "corrections.yaml")
    entries = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in entries if "source_row" in line]
    assert not any(c.id.endswith("parts-above-totals") for c in found)  # the rule flags them
    repeats = {c.id: c.declared_keys() for c in found if c.table == "duplicates"}
    # The two broad entries now list their keys: 193 "Other forms" and 91 totals by sex.
    assert {k: len(v) for k, v in repeats.items()} == {
        "unodc-repeats-other-forms": 193,
        "unodc-repeats-totals-by-sex": 91,
    }
    alb = [v for k, v in repeats["unodc-repeats-other-forms"] if k[1:3] == ("ALB", "2017")]
    assert alb == [("20", "27", "5", "<5")]  # rows 53381-53384 of the export


def _shuffled_copy(tmp_path: Path, seed: int = 13) -> Path:
    """Return a copy of the shipped data folder whose UNODC export has its data rows shuffled."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    root = tmp_path / "data"
    shutil.copytree(SHIPPED, root)
    book = CalamineWorkbook.from_path(str(SHIPPED / GLOTIP))
    rows = [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    head, data = rows[:3], rows[3:]
    random.Random(seed).shuffle(data)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    for r in head + data:
        ws.append(r)
    (root / GLOTIP).unlink()
    wb.save(root / GLOTIP)
    return root


def _figures(obs: pd.DataFrame) -> pd.DataFrame:
    cols = [*OBSERVATION_KEY, "value_text", "value", "correction", "inconsistent"]
    return obs[cols].sort_values(OBSERVATION_KEY).reset_index(drop=True)


@pytest.mark.slow
def test_a_reordered_export_validates_clean_and_gives_the_same_figures(tmp_path: Path) -> None:
    shipped = load(SHIPPED, use_cache=False)
    shuffled_root = _shuffled_copy(tmp_path)
    shuffled = load(shuffled_root, use_cache=False)  # strict: raises on any error
    assert shuffled.errors == []
    # The rows did move (the test would prove nothing otherwise) ...
    moved = shuffled.observations.query("iso3 == 'HND' and year == 2019 and source == 'UNODC'")
    before = shipped.observations.query("iso3 == 'HND' and year == 2019 and source == 'UNODC'")
    assert sorted(moved["source_row"]) != sorted(before["source_row"])
    # ... and every figure, correction and flag is the same.
    pd.testing.assert_frame_equal(_figures(shuffled.observations), _figures(shipped.observations))
    # Honduras 2019: female 79 + male 9 above a total of 84, flagged by the rule on both parts.
    hnd = _figures(moved).query("dimension == 'Total' and age == 'Total'")
    hnd = hnd[hnd["indicator"] == "Detected trafficking victims"].set_index("sex")
    assert hnd.loc[["Total", "Female", "Male"], "value_text"].tolist() == ["84", "79", "9"]
    assert hnd.loc[["Total", "Female", "Male"], "inconsistent"].tolist() == [False, True, True]
    # The same conflicting repeats are declared, whatever their rows.
    audit = ["iso3", "year", "indicator", "dimension", "category", "sex", "age", "correction"]
    dup_a = shipped.audits["duplicates"].query("action == 'conflict'")[audit]
    dup_b = shuffled.audits["duplicates"].query("action == 'conflict'")[audit]
    assert len(dup_a) == 284
    pd.testing.assert_frame_equal(dup_a.reset_index(drop=True), dup_b.reset_index(drop=True))
    # The reports' figures: every indicator of every member and the region, 2017-2022.
    tables = [
        indicator_table(
            ds.observations,
            ds.population,
            countries=[*members(), REGION_CODE],
            years=range(2017, 2023),
            disaggregations=("total", "sex", "age", "form", "citizenship"),
        )
        for ds in (shipped, shuffled)
    ]
    assert len(tables[0]) > 1000
    pd.testing.assert_frame_equal(tables[0], tables[1])
