"""Scoped problems (issue 13): a problem in one country-year's figures withholds them only.

Uses the tiny good data folder (``tests/fixtures/good``) with one defect file swapped in
(``tests/fixtures/bad``): a conflicting repeat of GTM 2019 persons convicted (15 and 51, rows 18 and
23) and a value that is not a count (GTM 2019 male victims ``forty``, row 6) are scoped; a missing
column and an unknown country code are structural and stop the load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from corett_lib.cli.main import main
from corett_lib.core.problems import DataError
from corett_lib.validation import scoped
from corett_lib.validation.load import load

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GLOTIP = "raw/unodc_data_glotip.xlsx"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CORETT_DATA", raising=False)
    monkeypatch.delenv("CORETT_OUT", raising=False)


def data_with(tmp_path: Path, bad: str | None) -> Path:
    root = tmp_path / "data"
    shutil.copytree(FIXTURES / "good", root)
    for f in root.rglob("*"):
        f.chmod(0o644 if f.is_file() else 0o755)
    if bad:
        shutil.copyfile(FIXTURES / "bad" / bad, root / GLOTIP)
    return root


def test_a_conflicting_repeat_withholds_that_figure_only(tmp_path: Path) -> None:
    ds = load(data_with(tmp_path, "conflicting_duplicate__unodc_data_glotip.xlsx"), use_cache=False)
    table = scoped.withheld(ds.problems)
    assert table[["iso3", "year", "check", "rows"]].values.tolist() == [
        ["GTM", 2019, "duplicate_conflict", "18|23"]
    ]
    assert "Persons convicted" in table["reason"][0] and "(15, 51)" in table["reason"][0]
    assert scoped.structural_errors(ds.problems) == []
    unodc = ds.observations[ds.observations["source"] == "UNODC"]
    obs = unodc.set_index(["iso3", "year", "indicator", "sex", "age", "dimension"])
    # The repeated figure is in no table; the other figures of the same country-year are used.
    assert ("GTM", 2019, "Persons convicted") not in {k[:3] for k in obs.index}
    total = obs.loc[("GTM", 2019, "Detected trafficking victims", "Total", "Total", "Total")]
    assert total["value"] == 120.0
    assert scoped.withheld(ds.problems, iso3="SLV").empty


def test_a_value_that_is_not_a_count_withholds_that_figure(tmp_path: Path) -> None:
    ds = load(data_with(tmp_path, "text_in_numeric__unodc_data_glotip.xlsx"), use_cache=False)
    found = [p for p in ds.errors if scoped.is_scoped(p)]
    # The reader and the suite each say it (not a number, no value, no bounds): all of GTM 2019 row 6.
    assert {p.check for p in found} == {
        "value_not_numeric",
        "value_present",
        "counts_integer_or_censored",
    }
    assert {(p.rows, p.iso3, p.year) for p in found} == {((6,), "GTM", 2019)}
    assert scoped.structural_errors(ds.problems) == []
    row = ds.observations[ds.observations["source_row"] == 6].iloc[0]
    assert (row["value_text"], bool(row["withheld"])) == ("forty", True)
    assert row["value"] != row["value"]  # NaN: never shown as a number
    assert int(ds.observations["withheld"].sum()) == 1


@pytest.mark.parametrize(
    ("bad", "check"),
    [
        ("missing_column__unodc_data_glotip.xlsx", "column_missing"),
        ("unknown_country__unodc_data_glotip.xlsx", "iso3_known"),
        ("truncated__unodc_data_glotip.xlsx", "file_unreadable"),
    ],
)
def test_structural_problems_still_stop_everything(tmp_path: Path, bad: str, check: str) -> None:
    with pytest.raises(DataError) as exc:
        load(data_with(tmp_path, bad), use_cache=False)
    assert check in {p.check for p in exc.value.problems}
    assert all(not scoped.is_scoped(p) for p in exc.value.problems if p.check == check)


@pytest.mark.slow
def test_the_report_of_a_scoped_country_year_builds_and_says_why(tmp_path: Path) -> None:
    data = data_with(tmp_path, "conflicting_duplicate__unodc_data_glotip.xlsx")
    # The annual page's plan section reads monitoring data: the shipped (illustrative) set.
    shutil.copytree(FIXTURES.parents[1] / "data" / "monitoring", data / "monitoring")
    out = tmp_path / "out"
    args = ["build", "--data", str(data), "--out", str(out), "--country", "GTM"]
    args += ["--year", "2019", "--report", "annual", "--jobs", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for lang, label in (("en", "Conflicting repeated figure"), ("es", "Cifra repetida")):
        page = (out / "2019" / "GTM" / f"annual.{lang}.html").read_text(encoding="utf-8")
        assert label in page and "Persons convicted" in page and "15, 51" in page
