"""Provenance of the raw inputs: the shipped record matches the shipped files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.raw.provenance import check_provenance, read_provenance, sha256_file

DATA = paths.PROJECT_ROOT / "data"
SHIPPED_BY_THIS_RECORD = {
    "raw/unodc_data_glotip.xlsx": "24c34b95dfefb520445ef0f8d039727cad6febf0ab36807d5fc0aeee128c413e",
    "raw/population_all.csv": "73add8fdf3441f27d8bae0f753ab5a625984f45318ab49d5cb6c9ff1e25dc685",
    "raw/sdg_targets.csv": "3e5a6e57d2a800e3f74ea71b2c31c602558a6b20690b03c275acccf6e6ca20a9",
}


def test_every_shipped_raw_file_matches_its_record() -> None:
    """Fails when a shipped input is edited without updating raw/PROVENANCE.yaml."""
    record = read_provenance(DATA)
    checksums, problems = check_provenance(DATA)
    changed = [(p.check, p.file) for p in problems if p.check in {"input_changed"}]
    assert changed == []
    assert [p for p in problems if p.severity == "error"] == []
    for rel, entry in record.items():
        assert checksums[rel] == entry["sha256"] == sha256_file(DATA / rel), rel
    for rel, sha in SHIPPED_BY_THIS_RECORD.items():
        assert record[rel]["sha256"] == sha
        assert record[rel]["date_accessed"] == "2026-11-23"
        assert record[rel]["illustrative"] is False


def test_every_input_the_workbench_reads_is_listed() -> None:
    record = read_provenance(DATA)
    missing = [rel for rel in paths.RAW_FILES.values() if rel not in record]
    assert missing == []


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "raw").mkdir(parents=True)
    shutil.copyfile(DATA / "raw" / "PROVENANCE.yaml", root / "raw" / "PROVENANCE.yaml")
    for rel in SHIPPED_BY_THIS_RECORD:
        shutil.copyfile(DATA / rel, root / rel)
    return root


def problems_of(root: Path) -> list[tuple[str, str, str]]:
    _, problems = check_provenance(root)
    return sorted((p.severity, p.check, p.file) for p in problems)


def test_changed_missing_and_unlisted_files(data: Path) -> None:
    before = problems_of(data)
    assert ("error", "provenance_file_missing", "raw/plan_items.csv") in before
    assert not any(f in SHIPPED_BY_THIS_RECORD for _, _, f in before)
    with (data / "raw" / "population_all.csv").open("a", encoding="utf-8") as fh:
        fh.write("BLZ,2025,1,edited\n")
    (data / "raw" / "sdg_targets.csv").unlink()
    (data / "raw" / "notes.txt").write_text("x", encoding="utf-8")
    new = sorted(set(problems_of(data)) - set(before))
    assert new == [
        ("error", "provenance_file_missing", "raw/sdg_targets.csv"),
        ("warning", "input_changed", "raw/population_all.csv"),
        ("warning", "provenance_unlisted", "raw/notes.txt"),
    ]


def test_an_invalid_record_names_the_entry_and_field(data: Path) -> None:
    record = data / "raw" / "PROVENANCE.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("    illustrative: false\n", "", 1), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_provenance(data)
    [p] = exc.value.problems
    assert p.message == "files.0.illustrative (raw/unodc_data_glotip.xlsx): Field required"
    record.unlink()
    assert problems_of(data) == [("error", "provenance_missing", "raw/PROVENANCE.yaml")]


def test_sha256_of_a_known_content(tmp_path: Path) -> None:
    p = tmp_path / "x"
    p.write_bytes(b"abc")
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
