"""``corett validate`` on bad inputs: one defect per file in ``tests/fixtures/bad/``.

Each bad file is named ``<defect>__<raw file name>``; the test copies ``tests/fixtures/good/`` to a
temporary folder, swaps the bad file in for the raw file of that name, runs ``corett validate`` through
click's runner and checks the exit status and the exact problem: check id, file, row(s) and column.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from corett_lib.cli.main import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
GLOTIP = "raw/unodc_data_glotip.xlsx"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CORETT_DATA", raising=False)
    monkeypatch.delenv("CORETT_OUT", raising=False)


def data_with(tmp_path: Path, bad: str | None = None) -> Path:
    """Return a copy of the good data folder, with ``bad`` swapped in for its raw file."""
    root = tmp_path / "data"
    shutil.copytree(GOOD, root)
    for f in root.rglob("*"):
        f.chmod(0o644 if f.is_file() else 0o755)
    if bad:
        name = bad.split("__", 1)[1]
        target = root / WHERE.get(name, "raw") / name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(BAD / bad, target)
    return root


#: Bad files that are not swapped into ``raw/``: folder relative to the data folder.
WHERE = {"illustrative_actuals.csv": "monitoring", "sdg_mapping.yaml": "."}


def validate(tmp_path: Path, data: Path, *args: str) -> tuple[int, str, dict]:
    """Run ``corett validate --format json``; return the exit code, output and parsed JSON."""
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["validate", "--data", str(data), "--out", str(out), "--format", "json", *args]
    )
    payload = json.loads((out / "validation" / "validation.json").read_text(encoding="utf-8"))
    return result.exit_code, result.output, payload


def problems_of(payload: dict, severity: str = "error") -> list[tuple]:
    return [
        (p["check"], p["file"], tuple(p["rows"]), p["column"])
        for p in payload["problems"]
        if p["severity"] == severity
    ]


# (bad file, the error it must produce: check, file, rows, column; a phrase of its message)
CASES: list[tuple[str, tuple, str]] = [
    ("missing_column__unodc_data_glotip.xlsx", ("column_missing", GLOTIP, (3,), "Sex"), "Sex"),
    ("renamed_header__unodc_data_glotip.xlsx", ("column_missing", GLOTIP, (3,), "Year"), "Year"),
    (
        "text_in_numeric__unodc_data_glotip.xlsx",
        ("value_not_numeric", GLOTIP, (6,), "txtVALUE"),
        "forty",
    ),
    (
        "negative_count__unodc_data_glotip.xlsx",
        ("counts_non_negative", GLOTIP, (18,), "txtVALUE"),
        "negative",
    ),
    (
        "unknown_country__unodc_data_glotip.xlsx",
        ("iso3_known", GLOTIP, (22,), "Iso3_code"),
        "ISO 3166-1",
    ),
    (
        "impossible_year__unodc_data_glotip.xlsx",
        ("year_in_range", GLOTIP, (18,), "Year"),
        "year outside",
    ),
    (
        "conflicting_duplicate__unodc_data_glotip.xlsx",
        ("duplicate_conflict", GLOTIP, (18, 23), "txtVALUE"),
        "15",
    ),
    (
        "extra_header_rows__unodc_data_glotip.xlsx",
        ("column_missing", GLOTIP, (3,), "Iso3_code"),
        "Iso3_code",
    ),
    ("truncated__unodc_data_glotip.xlsx", ("file_unreadable", GLOTIP, (), None), "xlsx"),
    ("csv_renamed__unodc_data_glotip.xlsx", ("file_unreadable", GLOTIP, (), None), "xlsx"),
    (
        "script__unodc_data_glotip.xlsx",
        ("text_no_markup", GLOTIP, (20,), "Category"),
        "markup",
    ),
    ("empty__population_all.csv", ("file_empty", "raw/population_all.csv", (), None), "empty"),
    (
        "extra_header_rows__population_all.csv",
        ("column_missing", "raw/population_all.csv", (1,), "iso3"),
        "iso3",
    ),
    (
        "ratified_before_adoption__chart1_ratifications.csv",
        ("ratification_after_adoption", "raw/chart1_ratifications.csv", (None,), "date_iso"),
        "before the instrument was adopted on 2000-11-15",
    ),
    (
        "unknown_plan_item__evaluation_questions.csv",
        ("plan_link_exists", "raw/evaluation_questions.csv", (4,), "plan_item_ids"),
        "'RM.A9.O1', which is not a plan item",
    ),
    (
        "formula__followup_questions.csv",
        ("text_not_formula", "raw/followup_questions.csv", (3,), "text_en"),
        "HYPERLINK",
    ),
    (
        "negative_value__illustrative_actuals.csv",
        ("value_non_negative_number", "monitoring/illustrative_actuals.csv", (4,), "value"),
        "'-4' is not a number >= 0",
    ),
    (
        "unknown_code__sdg_mapping.yaml",
        ("sdg_code_in_reference", "sdg_mapping.yaml", (34,), "sdg_code"),
        "16.2.9 is not in the SDG reference",
    ),
]


#: Defects a generic rule flags (a warning: no declaration needed, the build goes on).
WARNING_CASES: list[tuple[str, tuple, str]] = [
    (
        "part_above_total__unodc_data_glotip.xlsx",
        # Guatemala 130 + Honduras <5 among the citizenships, against the total of 120.
        ("citizenship_within_total", GLOTIP, (4, 16, 17), "txtVALUE"),
        "add up to at least 130 (Guatemala = 130; Honduras = <5), above the total of 120",
    ),
    (
        # A member-year without a population: its rates are withheld, the build goes on.
        "missing_member_year__population_all.csv",
        ("population_covers_members", "raw/population_all.csv", (), "population"),
        "HND in 2018",
    ),
]


def test_every_bad_file_has_a_case() -> None:
    named = [name for name, _, _ in [*CASES, *WARNING_CASES]]
    assert sorted(f.name for f in BAD.iterdir()) == sorted(named)
    assert len(CASES) >= 15


def test_good_fixture_validates_clean(tmp_path: Path) -> None:
    code, _, payload = validate(tmp_path, data_with(tmp_path))
    assert problems_of(payload) == [], payload["problems"]
    # The one warning: no monitoring data (tests that need some add it).
    assert problems_of(payload, "warning") == [("monitoring_present", "monitoring/", (), None)]
    assert code == 0
    assert payload["status"] == "passed"


@pytest.mark.parametrize(("bad", "expected", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_fails_with_its_exact_problem(
    tmp_path: Path, bad: str, expected: tuple, phrase: str
) -> None:
    code, output, payload = validate(tmp_path, data_with(tmp_path, bad))
    assert code == 1, output
    found = problems_of(payload)
    check, file, rows, column = expected
    match = [
        p
        for p in payload["problems"]
        if (p["check"], p["file"], p["column"]) == (check, file, column)
        and p["severity"] == "error"
        and (rows == (None,) or tuple(p["rows"]) == rows)
    ]
    assert match, found
    assert phrase in match[0]["message"] + " ".join(match[0]["sample"]), match[0]
    assert match[0]["why"]


@pytest.mark.parametrize(
    ("bad", "expected", "phrase"), WARNING_CASES, ids=[c[0] for c in WARNING_CASES]
)
def test_a_rule_flags_its_defect_as_a_warning(
    tmp_path: Path, bad: str, expected: tuple, phrase: str
) -> None:
    code, output, payload = validate(tmp_path, data_with(tmp_path, bad))
    assert code == 0, output
    assert problems_of(payload) == []
    check, file, rows, column = expected
    [match] = [
        p
        for p in payload["problems"]
        if (p["check"], p["file"], tuple(p["rows"]), p["column"]) == (check, file, rows, column)
    ]
    assert match["severity"] == "warning"
    assert phrase in match["message"] and "never used for a share or rate" in match["message"]


def test_script_in_a_text_field_is_escaped_everywhere(tmp_path: Path) -> None:
    data = data_with(tmp_path, "script__unodc_data_glotip.xlsx")
    out = tmp_path / "out"
    text = CliRunner().invoke(main, ["validate", "--data", str(data), "--out", str(out)])
    assert text.exit_code == 1
    assert "<script>" not in text.output
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;Honduras"
        in text.output.replace("'", "&#x27;")
        or "&lt;script&gt;" in text.output
    )
    page = (out / "validation" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    raw_json = (out / "validation" / "validation.json").read_text(encoding="utf-8")
    assert "<script>" not in raw_json and "\\u003cscript\\u003e" in raw_json


def test_a_failing_run_touches_nothing_but_the_validation_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = out / "2019" / "GTM" / "annual.en.html"
    report.parent.mkdir(parents=True)
    report.write_text("built earlier", encoding="utf-8")
    (out / "manifest.json").write_text("{}", encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    data = data_with(tmp_path, "negative_count__unodc_data_glotip.xlsx")
    result = CliRunner().invoke(main, ["validate", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 1
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert {p: after[p] for p in before} == before
    assert sorted(str(p.relative_to(out)) for p in set(after) - set(before)) == [
        "validation/index.html",
        "validation/validation.json",
    ]


def test_text_output_names_file_row_column_check_and_why(tmp_path: Path) -> None:
    data = data_with(tmp_path, "negative_count__unodc_data_glotip.xlsx")
    result = CliRunner().invoke(
        main, ["validate", "--data", str(data), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "[counts_non_negative]" in x)
    assert line.startswith(
        "ERROR [counts_non_negative] raw/unodc_data_glotip.xlsx, row 18, column txtVALUE: "
    )
    assert "(why: " in line and "-15" in line
    assert result.output.splitlines()[-1].startswith("validation FAILED: ")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = data_with(tmp_path, "truncated__unodc_data_glotip.xlsx")
    shutil.copyfile(
        BAD / "missing_member_year__population_all.csv", data / "raw" / "population_all.csv"
    )
    (data / "raw" / "sdg_targets.csv").write_bytes("level,code\nGoal,5 é".encode("latin-1"))
    code, _, payload = validate(tmp_path, data)
    assert code == 1
    checks = sorted(
        {(p["check"], p["file"]) for p in payload["problems"] if p["severity"] == "error"}
    )
    assert checks == [
        ("file_encoding", "raw/sdg_targets.csv"),
        ("file_unreadable", GLOTIP),
    ]


def test_a_folder_without_the_optional_inputs_passes_with_warnings(tmp_path: Path) -> None:
    """A folder made before the evaluation framework and monitoring data existed (nor listed them)."""
    data = data_with(tmp_path)
    gone = ("evaluation_questions.csv", "followup_questions.csv", "monitoring_matrix.csv")
    for name in gone:
        (data / "raw" / name).unlink()
    assert not (data / "monitoring").exists()
    record_file = data / "raw" / "PROVENANCE.yaml"
    record = yaml.safe_load(record_file.read_text(encoding="utf-8"))
    record["files"] = [e for e in record["files"] if Path(e["path"]).name not in gone]
    record_file.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    code, output, payload = validate(tmp_path, data)
    assert code == 0, output
    assert problems_of(payload, "warning") == [
        ("monitoring_present", "monitoring/", (), None),
        ("file_missing", "raw/evaluation_questions.csv", (), None),
        ("file_missing", "raw/followup_questions.csv", (), None),
        ("file_missing", "raw/monitoring_matrix.csv", (), None),
    ]


def test_a_folder_without_its_own_sdg_mapping_is_checked_with_the_shipped_one(
    tmp_path: Path,
) -> None:
    data = data_with(tmp_path)
    assert not (data / "sdg_mapping.yaml").exists()
    (data / "raw" / "sdg_targets.csv").write_text(
        "level,code,title_en,title_es\ngoal,16,Peace,Paz\n", encoding="utf-8"
    )
    code, _, payload = validate(tmp_path, data)
    assert code == 1
    found = [p for p in payload["problems"] if p["check"] == "target_in_reference"]
    assert [p["file"] for p in found] == ["data/sdg_mapping.yaml"] * 7
    assert found[0]["message"] == "target 5.2 is not in the SDG reference"
