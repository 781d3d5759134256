"""Hardening of ``corett ingest`` (issue 18): hostile workbooks refused before reading, every problem
of every file reported, finite numbers and bounded text, the submission log (old -> new), dry-run
diff, revert, and a lock so that concurrent ingests lose nothing."""

from __future__ import annotations

import errno
import json
import multiprocessing
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from corett_lib.apps import ingest_history, workbook
from corett_lib.apps.workbook import cell_ref, ingest, revert, write_template
from corett_lib.cli.main import main
from corett_lib.core import paths
from corett_lib.core.problems import errors
from corett_lib.dataset.monitoring import COLLECTED_FILE, read_collected
from corett_lib.raw import workbook_guard

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "workbooks"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A data folder with the shipped plan items and no monitoring data yet."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    shutil.copy(paths.raw_path("plan_items"), tmp_path / "data" / "raw" / "plan_items.csv")
    return tmp_path / "data"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template("GTM", 2024, "en", path=tmp_path_factory.mktemp("t") / "gtm.xlsx")


def _filled(template: Path, out: Path, cells: dict[tuple[str, str], object]) -> Path:
    wb = load_workbook(template)
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    wb.save(out)
    return out


def test_every_hostile_file_is_refused_in_one_line_and_all_are_reported(
    template: Path, data: Path, tmp_path: Path
) -> None:
    good = _filled(template, tmp_path / "good.xlsx", {("Training", "C6"): 7})
    hostile = {
        "text_named_xlsx.xlsx": "workbook_is_xlsx",
        "truncated.xlsx": "workbook_intact",
        "password_zip.xlsx": "workbook_not_encrypted",
        "encrypted.xlsx": "workbook_not_encrypted",
    }
    res = ingest([FIXTURES / n for n in hostile] + [good], data=data)
    assert [(p.file, p.check) for p in errors(res.problems)] == list(hostile.items())
    assert all("\n" not in p.message for p in res.problems)
    assert "encrypted or password-protected" in errors(res.problems)[3].message
    assert not res.merged and not (data / "monitoring" / COLLECTED_FILE).exists()
    cli = CliRunner().invoke(
        main, ["ingest", "--data", str(data), *[str(FIXTURES / n) for n in hostile]]
    )
    assert cli.exit_code == 1 and "Traceback" not in cli.output
    assert [line.split("]")[1].split(":")[0].strip() for line in cli.output.splitlines()[:4]] == [
        *hostile
    ]


def _bomb(template: Path, out: Path, inflated: int) -> Path:
    """The template plus one part of ``inflated`` zero bytes (a few KB compressed)."""
    shutil.copy(template, out)
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("xl/media/image1.bin", "w", force_zip64=True) as part,
    ):
        chunk = bytes(1 << 20)
        for _ in range(inflated >> 20):
            part.write(chunk)
    return out


def test_a_zip_bomb_is_refused_before_reading(template: Path, tmp_path: Path) -> None:
    lim = workbook_guard.limits()
    bomb = _bomb(template, tmp_path / "bomb.xlsx", lim.max_part_bytes + (4 << 20))
    assert bomb.stat().st_size < 200_000  # small on disk
    [p] = workbook_guard.check_workbook(bomb, lim)
    assert (p.file, p.check) == ("bomb.xlsx", "workbook_size")
    assert "xl/media/image1.bin" in p.message and "parameters/limits.yaml" in p.message
    # measured, not declared: a tighter ratio limit catches it while inflating
    strict = lim.model_copy(update={"max_part_bytes": 10**10, "max_total_bytes": 10**10})
    [p] = workbook_guard.check_workbook(bomb, strict)
    assert p.check == "workbook_ratio" and "possible zip bomb" in p.message


def test_the_limits_file_is_strict(tmp_path: Path) -> None:
    bad = tmp_path / "limits.yaml"
    bad.write_text("workbook:\n  max_rows: 10\n  max_rowz: 5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="max_rowz"):
        workbook_guard.limits(bad)
    shipped = workbook_guard.limits()
    assert shipped.max_text_chars == 32767 and shipped.max_value == 1e12


@pytest.mark.parametrize("typed", ["1e999", "inf", "nan", "1e13"])
def test_numbers_must_be_finite_and_in_range(
    template: Path, data: Path, tmp_path: Path, typed: str
) -> None:
    wb = _filled(template, tmp_path / "n.xlsx", {("Training", "C6"): typed})
    res = ingest([wb], data=data)
    assert [(p.check, cell_ref(p)) for p in errors(res.problems)] == [
        ("value_finite_in_range", "Training!C6")
    ]
    assert not res.merged


def test_long_text_and_too_many_rows_are_refused_with_their_cell(
    template: Path, data: Path, tmp_path: Path
) -> None:
    wb = _filled(
        template,
        tmp_path / "t.xlsx",
        {
            ("Training", "C6"): 3,
            ("Training", "J6"): "LONG-TEXT-MARKER",
            ("Dissemination", "A6000"): "PREV.A3.O1.IND1",
        },
    )
    # openpyxl cuts text to 32,767 characters when a cell is set, so the long note is written
    # into the file's XML directly, as another program could
    _replace_in_zip(wb, b"LONG-TEXT-MARKER", b"x" * 100_000)
    res = ingest([wb], data=data)
    got = {(p.check, cell_ref(p)) for p in errors(res.problems)}
    assert got == {("text_length", "Training!J6"), ("sheet_rows", "Dissemination")}
    assert any("text of 100000 characters" in p.message for p in res.problems)


def _replace_in_zip(path: Path, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist()]
    assert any(old in data for _, data in parts)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info.filename, data.replace(old, new))


def test_the_log_records_what_each_submission_replaced_and_a_revert_undoes_it(
    template: Path, data: Path, tmp_path: Path
) -> None:
    first = _filled(
        template, tmp_path / "a.xlsx", {("Training", "C6"): 120, ("Training", "F6"): "yes"}
    )
    corrected = _filled(
        template, tmp_path / "b.xlsx", {("Training", "C6"): 130, ("Training", "F6"): "yes"}
    )
    one = ingest([first], data=data, who="analyst-1")
    assert one.submission is not None and one.submission["id"] == 1
    dry = ingest([corrected], data=data, dry_run=True)
    assert [c.line() for c in dry.changes] == [
        "PREV.A2.O1.IND1 GTM 2024: value '120' -> '130'",
        "PREV.A2.O1.IND1 GTM 2024: source 'workbook a.xlsx sha256:"
        + _sha(first)[:12]
        + "' -> 'workbook b.xlsx sha256:"
        + _sha(corrected)[:12]
        + "'",
    ]
    assert read_collected(data)["value"].tolist() == ["120"]  # the dry run wrote nothing
    two = ingest([corrected], data=data, who="analyst-2")
    assert two.submission is not None
    log = ingest_history.read_log(data)
    assert [(r["id"], r["who"], r["kind"]) for r in log] == [
        (1, "analyst-1", "ingest"),
        (2, "analyst-2", "ingest"),
    ]
    assert log[1]["files"][0]["name"] == "b.xlsx" and len(log[1]["files"][0]["sha256"]) == 64
    assert log[1]["files"][0]["sha256"] == _sha(corrected)
    assert log[1]["changes"][0] == {
        "key": ["PREV.A2.O1.IND1", "GTM", "2024"],
        "field": "value",
        "old": "120",
        "new": "130",
    }
    again = ingest([corrected], data=data)  # nothing changes: not logged
    assert not again.changed and len(ingest_history.read_log(data)) == 2
    with pytest.raises(ingest_history.HistoryError, match="later submission"):
        revert(1, data=data)
    undone = revert(2, data=data, who="lead")
    assert read_collected(data)["value"].tolist() == ["120"]
    assert undone.submission is not None and undone.submission["reverts"] == 2
    assert undone.changes[0].line() == "PREV.A2.O1.IND1 GTM 2024: value '130' -> '120'"
    lines = ingest_history.log_path(data).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3]  # appended, never rewritten


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_cli_shows_the_diff_and_refuses_an_unknown_revert(
    template: Path, data: Path, tmp_path: Path
) -> None:
    first = _filled(template, tmp_path / "a.xlsx", {("Training", "C6"): 5})
    ingest([first], data=data)
    second = _filled(template, tmp_path / "b.xlsx", {("Training", "C6"): 6})
    res = CliRunner().invoke(main, ["ingest", "--data", str(data), "--dry-run", str(second)])
    assert res.exit_code == 0 and "value '5' -> '6'" in res.output
    res = CliRunner().invoke(main, ["ingest", "--data", str(data), "--revert", "99"])
    assert res.exit_code == 1 and res.output.strip() == "error: no submission 99 in the log"
    res = CliRunner().invoke(main, ["ingest", "--data", str(data)])
    assert res.exit_code == 2 and "--revert ID" in res.output


def test_a_read_only_data_folder_is_one_line_and_merges_nothing(
    template: Path, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = _filled(template, tmp_path / "a.xlsx", {("Training", "C6"): 5})

    def refuse(path: Path, text: str) -> None:  # what a read-only folder does (even for root)
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("corett_lib.dataset.monitoring.atomic.write_text", refuse)
    res = CliRunner().invoke(main, ["ingest", "--data", str(data), str(wb)])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        f"error: {data / 'monitoring' / COLLECTED_FILE}: cannot be written (Permission denied); "
        "check the folder's permissions or choose another with --out; nothing merged"
    ]
    assert ingest_history.read_log(data) == []


def _ingest_slowly(args: tuple[str, str]) -> bool:
    """Ingest one workbook with a pause between reading and writing the merged table."""
    path, data = args
    real = workbook.read_collected

    def slow(d: object = None) -> object:
        held = real(d)  # type: ignore[arg-type]
        time.sleep(0.4)  # widen the window in which another ingest could read the same table
        return held

    workbook.read_collected = slow  # type: ignore[assignment]
    return ingest([path], data=data).merged


def test_concurrent_ingests_lose_no_member_year(data: Path, tmp_path: Path) -> None:
    files = []
    for iso3 in ("GTM", "HND", "SLV"):
        t = write_template(iso3, 2024, "en", path=tmp_path / f"t_{iso3}.xlsx")
        files.append(_filled(t, tmp_path / f"{iso3}.xlsx", {("Training", "C6"): 9}))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(3) as pool:
        merged = pool.map(_ingest_slowly, [(str(f), str(data)) for f in files])
    assert merged == [True, True, True]
    assert sorted(read_collected(data)["iso3"]) == ["GTM", "HND", "SLV"]
    assert sorted(r["id"] for r in ingest_history.read_log(data)) == [1, 2, 3]


def test_formula_text_a_member_typed_never_blocks_a_later_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corett_lib.validation.load import load

    monkeypatch.setenv("CORETT_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "good"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "good", folder)
    notes = ["-2+3+cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid")']
    (folder / "monitoring").mkdir()
    (folder / "monitoring" / COLLECTED_FILE).write_text(
        "plan_item_id,iso3,year,value,unit,evidence_available,deadline,completed,on_time,"
        "cause_of_delay,notes,source,illustrative\n"
        f'PREV.A2.O1.IND1,GTM,2024,4,,,,,,,"{notes[0]}",workbook a.xlsx,\n'
        f'PREV.A2.O1.IND2,GTM,2024,5,,,,,,,"{notes[1].replace(chr(34), chr(34) * 2)}",'
        "workbook a.xlsx,\n",
        encoding="utf-8",
    )
    ds = load(folder, use_cache=False)  # strict: raised DataError before
    flagged = [p for p in ds.problems if p.check == "text_not_formula"]
    assert [(p.severity, p.rows, p.column) for p in flagged] == [("warning", (2, 3), "notes")]
    assert sorted(ds.monitoring["notes"].dropna()) == sorted(notes)  # stored as typed


def test_indicators_csv_neutralises_formula_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    hostile = pd.DataFrame(
        {
            "indicator_id": ["victims", "victims"],
            "label": ["-2+3+cmd|' /C calc'!A0", "Victims"],
            "value": [-3.0, 5.0],
        }
    )
    import types

    monkeypatch.setattr(
        "corett_lib.cli.indicators.load", lambda data=None: types.SimpleNamespace(countries=[])
    )
    monkeypatch.setattr("corett_lib.cli.indicators.facts_from_dataset", lambda ds: None)
    monkeypatch.setattr("corett_lib.cli.indicators.indicator_table", lambda *a, **k: hostile)
    monkeypatch.setattr("corett_lib.cli.indicators.row_statuses", lambda t, f, k: [""] * len(t))
    res = CliRunner().invoke(
        main, ["indicators", "--country", "GTM", "--year", "2019", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "indicator_id,label,value,disclosure,threshold",
        "victims,'-2+3+cmd|' /C calc'!A0,-3.0,,5",
        "victims,Victims,5.0,,5",
    ]


def test_a_number_too_large_for_a_float_in_the_monitoring_data_is_an_error() -> None:
    import pandas as pd

    from corett_lib.dataset.monitoring import COLUMNS, validate_rows

    rows = pd.DataFrame(
        [
            dict.fromkeys(COLUMNS, "")
            | {"plan_item_id": item, "iso3": "GTM", "year": "2024", "value": v}
            for item, v in (("PREV.A2.O1.IND1", "1e999"), ("PREV.A2.O1.IND2", "12"))
        ]
    )
    known = ["PREV.A2.O1.IND1", "PREV.A2.O1.IND2"]
    problems = validate_rows(
        rows, rel="monitoring/collected.csv", known_items=known, members=["GTM"]
    )
    assert [(p.check, p.rows, p.column) for p in errors(problems)] == [
        ("value_non_negative_number", (2,), "value")
    ]
