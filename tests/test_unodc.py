"""The UNODC GLOTIP loader and the duplicate rule: the real export, and tiny workbooks made here."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from corett_lib.core import paths
from corett_lib.core.problems import DataError
from corett_lib.core.schema import OBSERVATION_COLUMNS
from corett_lib.raw.corrections import Correction, load_corrections
from corett_lib.raw.unodc import HEADER, apply_duplicate_rule, read_glotip

REL = "raw/unodc_data_glotip.xlsx"
TOTALS = ("Total", "Total", "Total", "Total")  # dimension, category, sex, age


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("CORETT_CACHE", str(tmp_path_factory.getbasetemp() / "unodc-cache"))


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, list]:
    return read_glotip(paths.PROJECT_ROOT / "data" / REL, REL)  # parsed: the cache is new


def one(obs: pd.DataFrame, iso3: str, year: int, **kw: str) -> pd.Series:
    want = {"indicator": "Detected trafficking victims", "dimension": "Total", "category": "Total"}
    want |= {"sex": "Total", "age": "Total"} | kw
    m = (obs["iso3"] == iso3) & (obs["year"] == year)
    for k, v in want.items():
        m &= obs[k] == v
    rows = obs.loc[m]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def row(iso3: str, year: object, text: object, **kw: str) -> list[object]:
    tail = (year, "Counts", text, "GLOTIP")
    r = dict(
        zip(
            HEADER,
            [iso3, "Country", "Americas", "LAC", "Detected trafficking victims", *TOTALS, *tail],
            strict=True,
        )
    )
    r |= {k.replace("_", " ") if k == "Unit_of_measurement" else k: v for k, v in kw.items()}
    return [r[h] for h in HEADER]


def workbook(path: Path, rows: list[list[object]], titles: int = 2, header=HEADER) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [["UNODC", '=HYPERLINK("mailto:x@y.z","Contact")'], ["14/04/2025"]][:titles]:
        ws.append(r)
    for i in range(titles - 2):
        ws.append([f"title {i}"])
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# The real export ------------------------------------------------------------------------------


def test_real_export_has_every_row_and_the_schema(real: tuple[pd.DataFrame, list]) -> None:
    obs, problems = real
    assert len(obs) == 58_769
    assert list(obs.columns) == OBSERVATION_COLUMNS
    assert obs["source_row"].min() == 4 and obs["source_row"].max() == 58_772
    assert obs["iso3"].nunique() == 199  # every country of the export is kept
    assert (obs["source"] == "UNODC").all() and (obs["correction"] == "").all()
    assert str(obs["year"].dtype) == "int64" and str(obs["censored"].dtype) == "bool"
    assert [(p.severity, p.check, len(p.rows)) for p in problems] == [
        ("warning", "text_replacement_character", 98),
        ("warning", "category_empty", 110),
    ]


def test_real_values(real: tuple[pd.DataFrame, list]) -> None:
    obs, _ = real
    gtm = one(obs, "GTM", 2019)
    assert (gtm["value"], gtm["value_text"], gtm["source_row"]) == (434.0, "434", 19388)
    assert one(obs, "MEX", 2017)["value"] == 970.0
    mex = one(obs, "MEX", 2015)
    assert (mex["value_text"], mex["value"], mex["value_high"]) == ("2,015", 2015.0, 2015.0)
    blz = one(obs, "BLZ", 2019)
    assert blz["censored"] and pd.isna(blz["value"]) and blz["value_text"] == "<5"
    assert (blz["value_low"], blz["value_high"]) == (1.0, 4.0)
    assert int(obs["censored"].sum()) == 29_558
    assert obs.loc[~obs["censored"], "value"].notna().all()


def test_real_duplicate_rule(real: tuple[pd.DataFrame, list]) -> None:
    obs, _ = real
    clean, audit, problems = apply_duplicate_rule(obs)
    assert audit["action"].value_counts().to_dict() == {"conflict": 284, "collapsed": 208}
    assert len(clean) == 57_761  # 58,769 - 241 extra identical rows - 767 conflicting rows
    assert len(problems) == 284 and {p.check for p in problems} == {"duplicate_conflict"}
    alb = audit[(audit["iso3"] == "ALB") & (audit["year"] == 2017)].iloc[0]
    assert (alb["rows"], alb["values"]) == ("53381|53382|53383|53384", "27|<5|5|20")
    # With the shipped corrections every conflict is declared: two warnings, no error.
    declared = load_corrections(paths.PROJECT_ROOT / "data" / "corrections.yaml")
    clean2, _, problems = apply_duplicate_rule(obs, declared)
    assert len(clean2) == 57_761
    assert [(p.severity, p.check) for p in problems] == [("warning", "declared_correction")] * 2
    assert not clean2.duplicated(
        ["iso3", "year", "indicator", "dimension", "category", "sex", "age"]
    ).any()


# Tiny workbooks ------------------------------------------------------------------------------


def test_values_as_unodc_writes_them(tmp_path: Path) -> None:
    path = workbook(tmp_path / "g.xlsx", [row("GTM", 2019, "1,234"), row("BLZ", 2019, "<5")])
    obs, problems = read_glotip(path, REL, use_cache=False)
    assert problems == []
    assert obs["value"].tolist()[0] == 1234.0 and obs["source_row"].tolist() == [4, 5]
    assert obs["censored"].tolist() == [False, True]
    assert obs["source_ref"].iloc[0] == "UNODC GLOTIP (dataUNODC export of 14 April 2025)"


def test_text_and_formulas_in_the_value_column_are_reported_not_evaluated(tmp_path: Path) -> None:
    wb_path = workbook(
        tmp_path / "g.xlsx",
        [row("GTM", 2019, "forty"), row("GTM", 2018, "=1+1"), row("GTM", 2017, "12")],
    )
    obs, problems = read_glotip(wb_path, REL, use_cache=False)
    assert len(obs) == 3  # nothing dropped
    assert [(p.check, p.rows, p.column) for p in problems] == [
        ("value_not_numeric", (4,), "txtVALUE"),
        ("value_not_numeric", (5,), "txtVALUE"),
    ]
    assert "'forty'" in problems[0].message and "formula" in problems[1].message
    assert obs["value_text"].tolist()[:2] == ["forty", "=1+1"]
    assert obs["value"].isna().tolist() == [True, True, False]


def test_a_formula_cell_stays_text(tmp_path: Path) -> None:
    path = workbook(tmp_path / "g.xlsx", [row("GTM", 2019, "5", Category="=CONCAT(1,2)")])
    obs, _ = read_glotip(path, REL, use_cache=False)
    assert obs["category"].tolist() == ["=CONCAT(1,2)"]


def test_a_year_that_is_not_a_whole_number_is_reported(tmp_path: Path) -> None:
    path = workbook(tmp_path / "g.xlsx", [row("GTM", "20l9", "5"), row("GTM", 2219, "6")])
    obs, problems = read_glotip(path, REL, use_cache=False)
    assert [(p.check, p.rows, p.column) for p in problems] == [("year_not_integer", (4,), "Year")]
    # An impossible but whole year is kept: validation's year_in_range reports it.
    assert obs["year"].tolist() == [2219]


@pytest.mark.parametrize(
    ("content", "check", "phrase"),
    [
        (b"", "file_empty", "empty"),
        (b"Iso3_code,Country\nGTM,Guatemala\n", "file_unreadable", "CSV"),
        (b"PK\x03\x04" + b"\x00" * 40, "file_unreadable", "xlsx"),
    ],
    ids=["empty", "csv-renamed", "truncated"],
)
def test_unreadable_files_raise_with_the_file_named(
    tmp_path: Path, content: bytes, check: str, phrase: str
) -> None:
    path = tmp_path / "g.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataError) as exc:
        read_glotip(path, REL)
    [p] = exc.value.problems
    assert (p.check, p.file, p.severity) == (check, REL, "error") and phrase in p.message


def test_a_truncated_workbook_raises(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", [row("GTM", 2019, "5")])
    bad = tmp_path / "g.xlsx"
    bad.write_bytes(good.read_bytes()[:-200])
    with pytest.raises(DataError) as exc:
        read_glotip(bad, REL)
    assert [p.check for p in exc.value.problems] == ["file_unreadable"]


def test_missing_and_renamed_columns_are_each_named(tmp_path: Path) -> None:
    header = [h if h != "Year" else "Yr" for h in HEADER if h != "Age"]
    rows = [[v for h, v in zip(HEADER, row("GTM", 2019, "5"), strict=True) if h != "Age"]]
    path = workbook(tmp_path / "g.xlsx", rows, header=header)
    with pytest.raises(DataError) as exc:
        read_glotip(path, REL)
    got = [(p.check, p.rows, p.column) for p in exc.value.problems]
    assert got == [("column_missing", (3,), "Age"), ("column_missing", (3,), "Year")]
    assert "'Yr'" in exc.value.problems[1].message


def test_extra_title_rows_say_where_the_header_is(tmp_path: Path) -> None:
    path = workbook(tmp_path / "g.xlsx", [row("GTM", 2019, "5")], titles=4)
    with pytest.raises(DataError) as exc:
        read_glotip(path, REL)
    [p] = exc.value.problems
    assert (p.check, p.rows, p.column) == ("column_missing", (3,), "Iso3_code")
    assert "found on row 5" in p.message


def test_the_cache_gives_the_same_table_and_problems(tmp_path: Path) -> None:
    path = workbook(tmp_path / "g.xlsx", [row("GTM", 2019, "x"), row("BLZ", 2019, "<5")])
    first = read_glotip(path, REL)
    assert len(list(paths.cache_dir().glob("unodc/glotip-*.parquet"))) >= 1
    second = read_glotip(path, "raw/other.xlsx")
    pd.testing.assert_frame_equal(
        first[0].drop(columns="source_file"), second[0].drop(columns="source_file")
    )
    assert (second[0]["source_file"] == "raw/other.xlsx").all()
    assert [(p.check, p.rows, p.file) for p in second[1]] == [
        ("value_not_numeric", (4,), "raw/other.xlsx")
    ]


# The duplicate rule on small tables ------------------------------------------------------------


def test_identical_repeats_collapse_and_conflicts_are_kept_out(tmp_path: Path) -> None:
    rows = [
        row("GTM", 2019, "5"),
        row("GTM", 2019, "5"),
        row("SLV", 2019, "7"),
        row("SLV", 2019, "<5"),
        row("HND", 2019, "9"),
    ]
    obs, _ = read_glotip(workbook(tmp_path / "g.xlsx", rows), REL, use_cache=False)
    clean, audit, problems = apply_duplicate_rule(obs)
    assert clean[["iso3", "source_row"]].values.tolist() == [["GTM", 4], ["HND", 8]]
    assert audit[["iso3", "rows", "action", "values"]].values.tolist() == [
        ["GTM", "4|5", "collapsed", "5|5"],
        ["SLV", "6|7", "conflict", "7|<5"],
    ]
    [p] = problems
    assert (p.severity, p.check, p.rows, p.column) == (
        "error",
        "duplicate_conflict",
        (6, 7),
        "txtVALUE",
    )


def test_declared_conflicts_are_a_warning_and_stale_declarations_an_error(tmp_path: Path) -> None:
    rows = [row("SLV", 2019, "7"), row("SLV", 2019, "<5"), row("HND", 2019, "9")]
    rows += [row("HND", 2019, "12")]
    obs, _ = read_glotip(workbook(tmp_path / "g.xlsx", rows), REL, use_cache=False)

    def dup(id_: str, iso3: str, values: list[str]) -> Correction:
        key = dict(zip(("dimension", "category", "sex", "age"), TOTALS, strict=True))
        return Correction(
            id=id_,
            table="duplicates",
            where={
                "source": "UNODC",
                "unit": "Counts",
                "indicator": "Detected trafficking victims",
            },
            keys=({"iso3": iso3, "year": 2019, **key, "value_text": values},),
            action="drop",
            reason="r",
            publisher_informed="no",
        )

    declared = [dup("slv", "SLV", ["<5", "7"]), dup("gtm", "GTM", ["1", "2"])]
    clean, audit, problems = apply_duplicate_rule(obs, declared)
    assert len(clean) == 0 and audit["correction"].tolist() == ["", "slv"]
    # HND's repeat is declared nowhere: an error for that figure only (scoped to HND 2019).
    assert [(p.severity, p.check, p.rows, p.iso3, p.year) for p in problems] == [
        ("error", "duplicate_conflict", (6, 7), "HND", 2019),
        ("error", "correction_stale", (), None, None),
        ("warning", "declared_correction", (4, 5), None, None),
    ]
    assert "GTM 2019" in problems[1].message and "1, 2" in problems[1].message
    # A declaration covers exactly the values it names: a changed value is an error again.
    _, _, again = apply_duplicate_rule(obs, [dup("slv", "SLV", ["<5", "8"])])
    assert [(p.check, p.iso3) for p in again if p.severity == "error"] == [
        ("duplicate_conflict", "HND"),
        ("duplicate_conflict", "SLV"),
        ("correction_stale", None),
    ]
