"""Monitoring workbooks: the template's built-in checks, ingest's cell-referenced errors, the atomic
and idempotent merge, and formula text that stays text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from corett_lib.apps.workbook import cell_ref, ingest, write_template
from corett_lib.core import paths
from corett_lib.core.problems import errors
from corett_lib.dataset.monitoring import COLLECTED_FILE, read_collected
from corett_lib.publishing.monitoring_export import export_monitoring

INJECTION = '=HYPERLINK("http://example.invalid/x","click")'


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


def test_template_prefills_the_plan_and_builds_checks_into_the_cells(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames[0] == "Instructions"
    assert wb["Instructions"]["B3"].value == "GTM" and wb["Instructions"]["B4"].value == 2024
    ws = wb["Training"]
    assert ws["B2"].value == "PREV.A2"
    assert [ws[f"A{r}"].value for r in range(5, 9)] == [
        "PREV.A2.O1.ACT1",
        "PREV.A2.O1.IND1",
        "PREV.A2.O1.IND2",
        "PREV.A2.O1.IND3",
    ]
    kinds = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert kinds["list"].formula1 == '"yes,no"'
    assert "F6" in kinds["list"].sqref
    assert kinds["decimal"].operator == "greaterThanOrEqual" and kinds["decimal"].formula1 == "0"
    assert "C6" in kinds["decimal"].sqref and "C5" not in kinds["decimal"].sqref
    assert "G5" in kinds["date"].sqref
    target = wb["Sensitization"]
    row = next(r for r in range(5, 40) if target[f"A{r}"].value == "PREV.A1.O1.IND1")
    assert target[f"E{row}"].value == 2.0  # "2 campaigns", pre-filled from the plan


def test_spanish_template_names_sheets_and_lists_in_spanish(tmp_path: Path) -> None:
    wb = load_workbook(write_template("HND", 2023, "es", path=tmp_path / "hnd.xlsx"))
    assert wb.sheetnames[:3] == ["Instrucciones", "Sensibilización", "Capacitación"]
    dv = next(d for d in wb["Capacitación"].data_validations.dataValidation if d.type == "list")
    assert dv.formula1 == '"sí,no"'


def test_five_errors_give_five_cell_references_and_merge_nothing(
    template: Path, data: Path, tmp_path: Path
) -> None:
    wb = _filled(
        template,
        tmp_path / "bad.xlsx",
        {
            ("Training", "C6"): -3,  # negative count
            ("Training", "F6"): "maybe",  # not yes/no
            ("Training", "G5"): "next week",  # not a date
            ("Sensitization", "A5"): "PREV.A9.O1.IND1",  # not an item of this axis
            ("Instructions", "B4"): 1990,  # year out of range
            ("Training", "C7"): 12,  # a valid entry: still not merged
        },
    )
    res = ingest([wb], data=data)
    errs = errors(res.problems)
    assert len(errs) == 5
    assert sorted(cell_ref(p) for p in errs) == sorted(
        ["Training!C6", "Training!F6", "Training!G5", "Sensitization!A5", "Instructions!B4"]
    )
    assert all(p.message.startswith(cell_ref(p) + ": ") for p in errs)
    assert not res.merged
    assert not (data / "monitoring" / COLLECTED_FILE).exists()


def test_reingesting_the_same_workbook_changes_nothing(
    template: Path, data: Path, tmp_path: Path
) -> None:
    wb = _filled(
        template, tmp_path / "ok.xlsx", {("Training", "C6"): 120, ("Training", "F6"): "yes"}
    )
    first = ingest([wb], data=data)
    assert (first.ok, first.merged, first.changed, first.rows) == (True, True, True, 1)
    path = data / "monitoring" / COLLECTED_FILE
    before = path.read_bytes()
    again = ingest([wb], data=data)
    assert (again.merged, again.changed) == (True, False)
    assert path.read_bytes() == before
    held = read_collected(data)
    assert held[
        ["plan_item_id", "iso3", "year", "value", "evidence_available"]
    ].values.tolist() == [["PREV.A2.O1.IND1", "GTM", "2024", "120", "yes"]]


def test_formula_text_round_trips_as_text_and_is_neutralized_on_export(
    template: Path, data: Path, tmp_path: Path
) -> None:
    wb = _filled(
        template,
        tmp_path / "inj.xlsx",
        {
            ("Training", "G5"): "2024-03-01",
            ("Training", "H5"): "2024-05-01",
            ("Training", "I5"): INJECTION,
            ("Training", "J6"): "+cmd|' /C calc'!A0",
            ("Training", "C6"): 4,
        },
    )
    res = ingest([wb], data=data)
    assert res.ok and res.merged
    held = read_collected(data).set_index("plan_item_id")
    assert held.at["PREV.A2.O1.ACT1", "cause_of_delay"] == INJECTION
    assert held.at["PREV.A2.O1.ACT1", "on_time"] == "no"
    assert held.at["PREV.A2.O1.IND1", "notes"] == "+cmd|' /C calc'!A0"
    csv_text = export_monitoring(read_collected(data), tmp_path / "out.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+cmd" in csv_text
    export_monitoring(read_collected(data), tmp_path / "out.xlsx")
    cells = [c for row in load_workbook(tmp_path / "out.xlsx").active.iter_rows() for c in row]
    injected = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value, c.data_type) for c in injected] == [("'" + INJECTION, "s")]


def test_a_formula_in_a_number_cell_is_an_error(template: Path, data: Path, tmp_path: Path) -> None:
    wb = _filled(template, tmp_path / "f.xlsx", {("Training", "C6"): "=2+2"})
    res = ingest([wb], data=data)
    assert [(p.check, cell_ref(p)) for p in errors(res.problems)] == [
        ("value_not_formula", "Training!C6")
    ]


def test_workbook_for_another_member_is_refused_when_country_is_given(
    template: Path, data: Path, tmp_path: Path
) -> None:
    wb = _filled(template, tmp_path / "g.xlsx", {("Training", "C6"): 1})
    res = ingest([wb], data=data, country="HND")
    assert [(p.check, cell_ref(p)) for p in errors(res.problems)] == [
        ("country_matches", "Instructions!B3")
    ]


def test_cli_ingest_reports_cells_and_exit_status(
    template: Path, data: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from corett_lib.cli.main import main

    wb = _filled(template, tmp_path / "c.xlsx", {("Training", "F6"): "maybe"})
    result = CliRunner().invoke(main, ["ingest", str(wb), "--data", str(data)])
    assert result.exit_code == 1
    assert "Training!F6" in result.output and "nothing merged" in result.output
    assert not (data / "monitoring" / COLLECTED_FILE).exists()


def test_template_command_writes_into_the_output_folder_or_a_named_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from corett_lib.cli.main import main

    runner = CliRunner()
    res = runner.invoke(
        main, ["template", "--country", "gtm", "--year", "2024", "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "templates" / "monitoring_GTM_2024.en.xlsx").is_file()
    target = tmp_path / "elsewhere" / "gtm.xlsx"
    res = runner.invoke(
        main, ["template", "--country", "GTM", "--year", "2024", "--to", str(target)]
    )
    assert res.exit_code == 0 and target.is_file()
    res = runner.invoke(
        main, ["template", "--country", "XXX", "--year", "2024", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2 and "not a member" in res.output
